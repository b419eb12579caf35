using System.Globalization;
using System.Runtime.InteropServices;

namespace WsgiHost.Daemon;

/// <summary>umask= and the resource limits of WSGIDaemonProcess, applied to the worker process before Python starts.</summary>
internal static class ProcessLimits
{
    private const int RLIMIT_CPU = 0;
    private const int RLIMIT_DATA = 2;
    private const int RLIMIT_AS = 9;

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    public static void Apply(DaemonWorkerOptions options)
    {
        if (options.Umask != null)
        {
            _ = umask(Convert.ToUInt32(options.Umask, 8));
        }
        Limit(RLIMIT_DATA, options.MemoryLimit, "memory-limit");
        Limit(RLIMIT_AS, options.VirtualMemoryLimit, "virtual-memory-limit");
        Limit(RLIMIT_CPU, options.CpuTimeLimitSeconds, "cpu-time-limit");
    }

    private static void Limit(int resource, long value, string option)
    {
        if (value <= 0)
        {
            return;
        }
        var limit = new RLimit { Current = (ulong)value, Maximum = (ulong)value };
        if (setrlimit(resource, ref limit) != 0)
        {
            throw new InvalidOperationException($"{option}={value.ToString(CultureInfo.InvariantCulture)}: setrlimit failed (errno {Marshal.GetLastPInvokeError()})");
        }
    }

    // DllImport, not LibraryImport: this project has no unsafe code (WsgiHost.Python alone does).
    [DllImport("libc", SetLastError = true)]
    private static extern uint umask(uint mask);

    [DllImport("libc", SetLastError = true)]
    private static extern int setrlimit(int resource, ref RLimit limit);
}
