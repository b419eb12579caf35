using System.Globalization;
using System.Runtime.InteropServices;

namespace WsgiHost.Server;

/// <summary>
/// The Linux CPU scheduling policy of the server's processes: SCHED_BATCH unless asked otherwise
/// (`--cpu-scheduling normal`). A request crosses threads and processes several times (Kestrel's
/// threads, a WSGI thread, a daemon worker); under the default policy every one of those
/// wake-ups preempts whatever runs on that core, so on a busy machine each request paid for
/// about one involuntary context switch per process (perf: a third of the daemon front's CPU
/// in the scheduler). A batch thread that wakes waits for the running one to block or use up
/// its time slice instead: the same CPU share (same weight, same nice), no wake-up preemption.
/// Measured on 2 cores, wrk -c32 (bench/RESULTS.md has the run): hello in daemon mode 14,100
/// -> 19,000-20,300 req/s, embedded 30,000-37,000 -> 39,000-40,000, Flask in two server
/// processes 8,000-9,600 -> 9,800-11,600; p50 and p99 lower or equal. A woken thread with a
/// core to itself runs at once either way; only on a saturated machine does it wait, up to one
/// time slice, where it would otherwise have taken the core from a thread mid-request.
/// </summary>
/// <remarks>
/// The policy is per thread and inherited by threads and processes created later, so the
/// server sets it on every thread it has at startup, before it starts any other: its daemon
/// workers, server processes and anything the app spawns inherit it. A process started under
/// another policy (`chrt --idle`, a real-time one) keeps it: that was the operator's choice.
/// </remarks>
internal static class CpuScheduling
{
    public const string Option = "--cpu-scheduling";

    private const int SchedOther = 0;
    private const int SchedFifo = 1;
    private const int SchedRoundRobin = 2;
    private const int SchedBatch = 3;
    private const int SchedIdle = 5;
    private const int SchedDeadline = 6;

    /// <summary>What the process's scheduling is, for the startup log; set by <see cref="Apply"/> or read from the process.</summary>
    public static string Outcome => s_outcome ??= Describe(Current());

    private static string? s_outcome;

    /// <summary>Removes `--cpu-scheduling batch|normal` from <paramref name="args"/>; true (batch) when absent.</summary>
    /// <exception cref="ArgumentException">The value is neither batch nor normal.</exception>
    public static bool TakeBatch(ref string[] args)
    {
        int at = Array.IndexOf(args, Option);
        if (at < 0)
        {
            return true;
        }
        string? value = at + 1 < args.Length ? args[at + 1] : null;
        if (value is not ("batch" or "normal"))
        {
            throw new ArgumentException($"{Option} takes 'batch' (the default) or 'normal', got {(value == null ? "nothing" : $"'{value}'")}");
        }
        args = [.. args[..at], .. args[(at + 2)..]];
        return value == "batch";
    }

    /// <summary>
    /// Moves every thread of this process to SCHED_BATCH when <paramref name="batch"/> and the
    /// process runs under the default policy; call first thing, before the server starts threads.
    /// </summary>
    public static void Apply(bool batch)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        int current = Current();
        if (!batch || current != SchedOther)
        {
            s_outcome = !batch ? $"normal ({Option} normal)" : $"{Describe(current)} (as started; WsgiHost keeps a policy it did not choose)";
            return;
        }
        // A thread the runtime starts while this runs inherits the policy of the thread that
        // starts it: a second pass catches one started by a thread not switched yet.
        int failed = 0;
        int errno = 0;
        for (int pass = 0; pass < 2; pass++)
        {
            failed = 0;
            foreach (int tid in Threads())
            {
                int priority = 0;
                if (sched_getscheduler(tid) == SchedOther && sched_setscheduler(tid, SchedBatch, ref priority) != 0)
                {
                    errno = Marshal.GetLastPInvokeError();
                    failed++;
                }
            }
        }
        s_outcome = failed == 0
            ? $"batch (SCHED_BATCH: a woken thread does not preempt a running one; {Option} normal to turn off)"
            : $"batch, but {failed} thread(s) could not be switched (errno {errno}) and keep SCHED_OTHER";
    }

    private static int Current() => OperatingSystem.IsLinux() ? sched_getscheduler(0) : -1;

    private static string Describe(int policy) => policy switch
    {
        SchedOther => "normal (SCHED_OTHER)",
        SchedFifo => "SCHED_FIFO",
        SchedRoundRobin => "SCHED_RR",
        SchedBatch => "batch (SCHED_BATCH)",
        SchedIdle => "SCHED_IDLE",
        SchedDeadline => "SCHED_DEADLINE",
        -1 => "the system's default (not Linux)",
        _ => $"policy {policy}",
    };

    private static IEnumerable<int> Threads()
    {
        foreach (string task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            if (int.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out int tid))
            {
                yield return tid;
            }
        }
    }

    // DllImport, not LibraryImport: this project has no unsafe code (WsgiHost.Python alone does).
    [DllImport("libc", SetLastError = true)]
    private static extern int sched_getscheduler(int pid);

    [DllImport("libc", SetLastError = true)]
    private static extern int sched_setscheduler(int pid, int policy, ref int priority);
}
