using System.Runtime.InteropServices;

namespace WsgiHost.Python.Interop;

/// <summary>
/// The C heap (glibc's malloc), which CPython uses for every object over 512 bytes and for
/// its object arenas: memory freed there stays with the process, in the arena of the thread
/// that freed it, until <see cref="Trim"/> gives the free pages back.
/// </summary>
internal static class NativeHeap
{
    private static bool s_unavailable;

    /// <summary>
    /// Returns free memory of every malloc arena to the system (<c>malloc_trim(0)</c>); false
    /// where the C library has no such call (musl) or it found nothing to give back.
    /// </summary>
    public static bool Trim()
    {
        if (s_unavailable || !OperatingSystem.IsLinux())
        {
            return false;
        }
        try
        {
            return malloc_trim(0) != 0;
        }
        catch (EntryPointNotFoundException)
        {
            s_unavailable = true;
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int malloc_trim(nuint pad);
}
