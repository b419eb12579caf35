namespace WsgiHost.Daemon;

/// <summary>
/// Why a daemon worker was replaced, as the metrics label it. A worker that ends itself says
/// why through its exit code; the front knows the reasons it causes itself (request-timeout,
/// a SIGHUP that rolled the group).
/// </summary>
internal enum WorkerRestartReason
{
    MaximumRequests,
    RestartInterval,
    InactivityTimeout,
    StartupTimeout,
    DeadlockTimeout,
    ScriptChanged,
    /// <summary>--reload-on-changes saw a loaded module's source change.</summary>
    CodeChanged,
    /// <summary>SIGUSR1 sent to the worker itself: mod_wsgi's eviction, a graceful restart.</summary>
    Eviction,
    /// <summary>The server's log reopen (after its SIGUSR1) reached a worker running as user=/group=, which may not reopen the server's log files itself.</summary>
    LogReopen,
    RequestTimeout,
    CpuTimeLimit,
    Reload,
    Signal,
    Crash,
}

/// <summary>Labels and exit codes of <see cref="WorkerRestartReason"/>.</summary>
internal static class WorkerRestartReasons
{
    /// <summary>Every reason, in label order (the metrics show each one, at 0 until it happens).</summary>
    public static IReadOnlyList<WorkerRestartReason> All { get; } = Enum.GetValues<WorkerRestartReason>();

    public static string Label(this WorkerRestartReason reason) => reason switch
    {
        WorkerRestartReason.MaximumRequests => "maximum-requests",
        WorkerRestartReason.RestartInterval => "restart-interval",
        WorkerRestartReason.InactivityTimeout => "inactivity-timeout",
        WorkerRestartReason.StartupTimeout => "startup-timeout",
        WorkerRestartReason.DeadlockTimeout => "deadlock-timeout",
        WorkerRestartReason.ScriptChanged => "script-changed",
        WorkerRestartReason.CodeChanged => "code-changed",
        WorkerRestartReason.Eviction => "eviction",
        WorkerRestartReason.LogReopen => "log-reopen",
        WorkerRestartReason.RequestTimeout => "request-timeout",
        WorkerRestartReason.CpuTimeLimit => "cpu-time-limit",
        WorkerRestartReason.Reload => "reload",
        WorkerRestartReason.Signal => "signal",
        _ => "crash",
    };

    // Exit codes of a worker that ends itself on purpose; 0 is "asked to stop" (SIGTERM), and
    // these stay clear of 1 (an unhandled .NET exception) and 128+N (killed by signal N).
    private const int FirstPlannedExitCode = 80;

    /// <summary>The exit code a worker ends with when it restarts itself for this reason.</summary>
    public static int ExitCode(this WorkerRestartReason reason) => reason == WorkerRestartReason.DeadlockTimeout
        ? DeadlockExitCode
        : FirstPlannedExitCode + (int)reason;

    /// <summary>
    /// deadlock-timeout ends the process with _exit, from the monitor thread. Next to the planned
    /// codes, not a small number an app may pass to os._exit itself: an app's os._exit(3) was
    /// reported as a deadlock-timeout (QA).
    /// </summary>
    public const int DeadlockExitCode = FirstPlannedExitCode - 1;

    /// <summary>The worker's Python could not be found or used (it logged why): a crash, replaced with the usual back-off.</summary>
    public const int NoPythonExitCode = FirstPlannedExitCode - 2;

    /// <summary>
    /// Why a worker that exited with <paramref name="code"/> is replaced. .NET reports a
    /// process killed by signal N as 128+N; SIGXCPU is the kernel enforcing cpu-time-limit.
    /// </summary>
    public static WorkerRestartReason FromExitCode(int code) => code switch
    {
        0 => WorkerRestartReason.Signal,
        DeadlockExitCode => WorkerRestartReason.DeadlockTimeout,
        >= FirstPlannedExitCode and <= FirstPlannedExitCode + (int)LastPlanned => (WorkerRestartReason)(code - FirstPlannedExitCode),
        // The worker took SIGXCPU and restarted itself (WorkerMain), or the kernel's default ended it.
        FirstPlannedExitCode + (int)WorkerRestartReason.CpuTimeLimit or 128 + 24 => WorkerRestartReason.CpuTimeLimit,
        // Signals a process raises on itself (a segfault, abort(), a bus error, an illegal
        // instruction): the app or an extension crashed; nothing outside stopped it.
        128 + 4 or 128 + 5 or 128 + 6 or 128 + 7 or 128 + 8 or 128 + 11 or 128 + 31 => WorkerRestartReason.Crash,
        > 128 and < 160 => WorkerRestartReason.Signal,
        _ => WorkerRestartReason.Crash,
    };

    /// <summary>A worker that ended itself on purpose: logged as information, replaced without a back-off.</summary>
    public static bool IsPlanned(int code) => code is >= FirstPlannedExitCode and <= FirstPlannedExitCode + (int)LastPlanned
        || code == FirstPlannedExitCode + (int)WorkerRestartReason.CpuTimeLimit;

    /// <summary>The last reason a worker ends itself for; those after it are the front's.</summary>
    private const WorkerRestartReason LastPlanned = WorkerRestartReason.LogReopen;
}
