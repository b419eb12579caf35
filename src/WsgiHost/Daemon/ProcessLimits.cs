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

    /// <summary>What the worker's runtime may still need after Python starts, on top of a memory limit (JIT-compiled code and the threads' stacks, mostly).</summary>
    private const long RuntimeReserve = 64L * 1024 * 1024;

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
        // What the worker's own runtime holds before Python starts (140 to 190 MB of data
        // mappings, mostly reserved and untouched; hundreds of GB of address space) is not the
        // app's: the limits count from there. Under mod_wsgi the daemon is a forked Apache
        // child of a few MB, so memory-limit=300000000 leaves the app about 300 MB; counted
        // from zero here it left it little or none (the worker then failed to start, or
        // aborted when the runtime itself was refused memory).
        // Beyond that, the runtime keeps a reserve of its own (compiled code, thread stacks, its
        // heap), so that the app's allocations, not the runtime's, are the ones refused.
        var (data, address) = Usage();
        Limit(RLIMIT_DATA, options.MemoryLimit, data + RuntimeReserve, 0, "memory-limit");
        Limit(RLIMIT_AS, options.VirtualMemoryLimit, address + RuntimeReserve, 0, "virtual-memory-limit");
        // SIGXCPU at cpu-time-limit, which the worker takes as a graceful restart
        // (WorkerMain); SIGKILL only if the drain itself burns graceful-timeout + shutdown-timeout
        // more CPU seconds, as mod_wsgi leaves the drain its time.
        Limit(RLIMIT_CPU, options.CpuTimeLimitSeconds, 0, (long)options.GracefulTimeout.TotalSeconds + Math.Max(1, options.ShutdownTimeoutSeconds), "cpu-time-limit");
    }

    /// <summary>The process's data mappings and address space now, in bytes (VmData and VmSize).</summary>
    private static (long Data, long Address) Usage()
    {
        long data = 0, address = 0;
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmData:", StringComparison.Ordinal))
                {
                    data = Kilobytes(line);
                }
                else if (line.StartsWith("VmSize:", StringComparison.Ordinal))
                {
                    address = Kilobytes(line);
                }
            }
        }
        catch (IOException)
        {
        }
        return (data, address);

        static long Kilobytes(string line) =>
            long.TryParse(line.AsSpan(7).Trim().TrimEnd("kB").Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long kb) ? kb * 1024 : 0;
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

    /// <param name="baseline">What the process uses already, added to the soft limit.</param>
    /// <param name="grace">How far the hard limit is above the soft one.</param>
    private static void Limit(int resource, long value, long baseline, long grace, string option)
    {
        if (value <= 0)
        {
            return;
        }
        var limit = new RLimit { Current = (ulong)(value + baseline), Maximum = (ulong)(value + baseline + grace) };
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
