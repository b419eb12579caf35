using System.Globalization;
using System.Runtime.InteropServices;

namespace WsgiHost.Daemon;

/// <summary>umask=, cpu-priority= and the resource limits of WSGIDaemonProcess, applied to the worker process before Python starts.</summary>
internal static class ProcessLimits
{
    private const int RLIMIT_CPU = 0;
    private const int RLIMIT_DATA = 2;
    private const int RLIMIT_AS = 9;
    private const int PRIO_PROCESS = 0;

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

    /// <summary>cpu-priority=: the worker's nice value, set while it may still be root (a value below 0 needs it), as mod_wsgi does.</summary>
    public static void SetPriority(DaemonWorkerOptions options)
    {
        if (options.CpuPriority is int priority && setpriority(PRIO_PROCESS, 0, priority) != 0)
        {
            throw new InvalidOperationException($"cpu-priority={priority.ToString(CultureInfo.InvariantCulture)}: setpriority failed (errno {Marshal.GetLastPInvokeError()}; below 0 needs the server started as root)");
        }
    }

    /// <summary>
    /// What a MemoryError means in a worker with memory limits: the allocation hit the limit
    /// (the OS refused it; the worker lives on), and the fix. Null without limits.
    /// </summary>
    public static string? MemoryErrorHint(DaemonWorkerOptions options)
    {
        string limits = string.Join(" and ", new[] { ("memory-limit", options.MemoryLimit), ("virtual-memory-limit", options.VirtualMemoryLimit) }
            .Where(l => l.Item2 > 0).Select(l => $"{l.Item1}={l.Item2.ToString(CultureInfo.InvariantCulture)} bytes"));
        return limits.Length == 0 ? null
            : $"The MemoryError came from the {limits} of WSGIDaemonProcess '{options.Group}': the operating system refused the allocation. " +
              "Raise the limit if the application needs that much memory, or find what allocates it.";
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

    [DllImport("libc", SetLastError = true)]
    private static extern int setpriority(int which, uint who, int priority);
}
