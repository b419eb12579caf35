using System.Runtime.InteropServices;

namespace WsgiHost.Python.Interop;

/// <summary>
/// futex(2), process-private: sleep while a 32-bit word holds a value, and wake its sleepers.
/// Linux only (x64 and arm64, the system call numbers below); <see cref="IsSupported"/> says so.
/// </summary>
internal static unsafe class Futex
{
    private const int FUTEX_WAIT_PRIVATE = 128;
    private const int FUTEX_WAKE_PRIVATE = 129;

    private static readonly long s_number = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 202,
        Architecture.Arm64 => 98,
        _ => -1,
    };

    public static bool IsSupported { get; } = OperatingSystem.IsLinux() && s_number >= 0;

    /// <summary>
    /// Sleeps while <paramref name="word"/> holds <paramref name="expected"/>; returns at once
    /// when it does not. May return without a wake (a signal): callers check the word again.
    /// </summary>
    public static void Wait(int* word, int expected) => Call(s_number, word, FUTEX_WAIT_PRIVATE, expected, null);

    /// <summary>Wakes one thread sleeping on <paramref name="word"/>.</summary>
    public static void WakeOne(int* word) => Call(s_number, word, FUTEX_WAKE_PRIVATE, 1, null);

    // syscall(2) is variadic; on x64 and arm64 Linux its integer arguments travel in the same
    // registers as a fixed-argument call's, and glibc's syscall reads them from there.
    [DllImport("libc", EntryPoint = "syscall")]
    private static extern long Call(long number, int* word, int op, int value, void* timeout);
}
