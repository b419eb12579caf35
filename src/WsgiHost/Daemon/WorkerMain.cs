using System.Globalization;
using System.Runtime.InteropServices;
using WsgiHost.Logging;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Daemon;

/// <summary>
/// The main program of one daemon worker process, whichever way it was started: as
/// `wsgihost-worker ARGS` or `wsgihost worker ARGS` by the command-line server, or as the ASP.NET Core host's own program
/// turned into a worker by <c>StartupHook</c>. It reads its options from the arguments the
/// front built (<see cref="DaemonGroups"/>) and the secret from its environment, serves until
/// SIGTERM or maximum-requests, and exits for the front to replace it.
/// </summary>
internal static class WorkerMain
{
    /// <summary>SIGUSR2: what the server sends its workers after its own SIGUSR1 (logrotate), to reopen their log files.</summary>
    public const int ReopenLogsSignal = Server.InheritedSignals.SigUsr2;

    /// <summary>Runs the worker; returns the process exit code.</summary>
    /// <exception cref="ArgumentException">The arguments or the environment are not what a front gives a worker.</exception>
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        // Before any socket: the listener's accepts (and, without a readiness loop, off Linux,
        // the reads of the connections from the front) then complete on the socket event thread.
        Server.InlineIo.EnableUnlessSet();
        var (options, errorLog, level, moduleLevels) = Parse(args, TakeSecret());
        await using ApacheErrorLog log = errorLog == null ? new ApacheErrorLog(Console.Error, level, moduleLevels: moduleLevels) : ApacheErrorLog.ToFile(errorLog, level, moduleLevels);
        using var stop = new CancellationTokenSource();
        // A server started in the background by a script (`wsgihost run site.conf &`) inherits
        // SIGINT ignored, and its workers with it: mod_wsgi's code-monitor recipe
        // (os.kill(os.getpid(), signal.SIGINT) to restart on a change) did nothing (QA).
        // SIGUSR2 too: it is how the server has its workers reopen their logs.
        Server.InheritedSignals.Reclaim(log, Server.InheritedSignals.SigInt, Server.InheritedSignals.SigUsr1, ReopenLogsSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        var worker = new DaemonWorker(options, log);
        // SIGUSR1 (10 on Linux; .NET accepts raw numbers) sent to a worker: mod_wsgi's eviction,
        // a graceful restart. The server's own log reopen comes as SIGUSR2 (12).
        using var sigusr1 = PosixSignalRegistration.Create((PosixSignal)Server.InheritedSignals.SigUsr1, c => { c.Cancel = true; worker.Evict(); });
        using var sigusr2 = PosixSignalRegistration.Create((PosixSignal)ReopenLogsSignal, c => { c.Cancel = true; worker.ReopenLogs(hasLogFiles: errorLog != null); });
        // A hang-up (the terminal of a foreground server closing) is the front's to act on: it
        // reloads the configuration and rolls workers itself. A worker killed by it would fail
        // the requests it runs.
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => c.Cancel = true);
        // SIGXCPU (24): cpu-time-limit's soft limit; the hard one leaves the drain its time (ProcessLimits).
        using var sigxcpu = PosixSignalRegistration.Create((PosixSignal)24, c => { c.Cancel = true; worker.CpuTimeLimitReached(); });
        // A front killed outright (SIGKILL, the OOM killer) cannot stop its workers: they stop themselves.
        using var parent = new Server.ParentWatch(() =>
        {
            log.Write(ErrorLogLevel.Warning, "wsgi", $"Daemon process group '{options.Group}' worker: the server that started it is gone (killed?); stopping.");
            stop.Cancel();
        });
        try
        {
            return await worker.RunAsync(stop.Token).ConfigureAwait(false);
        }
        catch (PythonNotFoundException e)
        {
            // Said once, plainly, where an unhandled exception would abort the process.
            log.Write(ErrorLogLevel.Critical, "wsgi", $"Daemon process group '{options.Group}' worker cannot start: {e.Message}");
            return WorkerRestartReasons.NoPythonExitCode;
        }
    }

    /// <summary>What <see cref="RunAsync"/> throws when it was started wrongly (by hand, or with arguments no front gives): a usage error, not a crash.</summary>
    public static bool IsUsageError(Exception e) => e is ArgumentException or FormatException or OverflowException;

    /// <summary>The secret comes from the environment, never the command line, and must not reach the app's os.environ (Python reads the C environment).</summary>
    private static string TakeSecret()
    {
        string secret = Environment.GetEnvironmentVariable(DaemonKeys.SecretVariable)
            ?? throw new ArgumentException("a daemon worker is started by the server, which gives it its secret; run wsgihost run or serve instead");
        ProcessEnvironment.Unset(DaemonKeys.SecretVariable);
        return secret;
    }

    internal static (DaemonWorkerOptions Options, string? ErrorLog, ErrorLogLevel Level, IReadOnlyDictionary<string, ErrorLogLevel> ModuleLevels) Parse(IReadOnlyList<string> args, string secret)
    {
        string? socket = null, group = null, python = null, pythonHome = null, home = null, errorLog = null, displayName = null, user = null, runAsGroup = null;
        int threads = 15, processes = 1, interpreters = 1, maximumRequests = 0, graceful = 15, shutdown = 5, optimize = 0;
        bool multiprocess = false, reloadOnChanges = false, ownGil = false;
        var pythonPath = new List<string>();
        var imports = new List<(string, string)>();
        int sendBufferSize = 0, receiveBufferSize = 0;
        int restartInterval = 0, inactivity = 0, deadlockTimeout = 0, startupTimeout = 0, evictionTimeout = 0, requestTimeout = 0, interruptTimeout = 0;
        long memoryLimit = 0, virtualMemoryLimit = 0, cpuTimeLimit = 0;
        string? umask = null, supplementaryGroups = null, pythonEggs = null, locale = null;
        int? cpuPriority = null;
        ErrorLogLevel level = ErrorLogLevel.Warning;
        var moduleLevels = new Dictionary<string, ErrorLogLevel>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{arg} needs a value");
            int Int() => int.Parse(Value(), CultureInfo.InvariantCulture);
            long Long() => long.Parse(Value(), CultureInfo.InvariantCulture);
            switch (arg)
            {
                case "--socket": socket = Value(); break;
                case "--group": group = Value(); break;
                case "--threads": threads = Int(); break;
                case "--multiprocess": multiprocess = true; break;
                case "--processes": processes = Int(); break;
                case "--reload-on-changes": reloadOnChanges = true; break;
                case "--own-gil": ownGil = true; break;
                case "--interpreters": interpreters = Int(); break;
                case "--python": python = Value(); break;
                case "--python-home": pythonHome = Value(); break;
                case "--python-path": pythonPath.Add(Value()); break;
                case "--python-optimize": optimize = Int(); break;
                case "--home": home = Value(); break;
                case "--maximum-requests": maximumRequests = Int(); break;
                case "--graceful-timeout": graceful = Int(); break;
                case "--shutdown-timeout": shutdown = Int(); break;
                case "--send-buffer-size": sendBufferSize = Int(); break;
                case "--receive-buffer-size": receiveBufferSize = Int(); break;
                case "--error-log": errorLog = Value(); break;
                case "--display-name": displayName = Value(); break;
                case "--user": user = Value(); break;
                case "--restart-interval": restartInterval = Int(); break;
                case "--inactivity-timeout": inactivity = Int(); break;
                case "--deadlock-timeout": deadlockTimeout = Int(); break;
                case "--startup-timeout": startupTimeout = Int(); break;
                case "--eviction-timeout": evictionTimeout = Int(); break;
                case "--request-timeout": requestTimeout = Int(); break;
                case "--interrupt-timeout": interruptTimeout = Int(); break;
                case "--umask": umask = Value(); break;
                case "--memory-limit": memoryLimit = Long(); break;
                case "--virtual-memory-limit": virtualMemoryLimit = Long(); break;
                case "--cpu-time-limit": cpuTimeLimit = Long(); break;
                case "--run-as-group": runAsGroup = Value(); break;
                case "--supplementary-groups": supplementaryGroups = Value(); break;
                case "--python-eggs": pythonEggs = Value(); break;
                case "--cpu-priority": cpuPriority = Int(); break;
                case "--locale": locale = Value(); break;
                case "--import":
                    string importScript = Value();
                    if (i + 2 >= args.Count || args[i + 1] != "--import-group")
                    {
                        throw new ArgumentException("--import SCRIPT must be followed by --import-group GROUP");
                    }
                    i++;
                    imports.Add((importScript, Value()));
                    break;
                case "--log-level": level = Enum.Parse<ErrorLogLevel>(Value()); break;
                case "--module-log-level":
                    // LogLevel's per-module form (wsgi:info), as MODULE=Level.
                    string[] moduleLevel = Value().Split('=', 2);
                    moduleLevels[moduleLevel[0]] = Enum.Parse<ErrorLogLevel>(moduleLevel[^1]);
                    break;
                default: throw new ArgumentException($"unknown worker option '{arg}'");
            }
        }
        if (socket == null || group == null)
        {
            throw new ArgumentException("a daemon worker needs --socket and --group");
        }
        var options = new DaemonWorkerOptions
        {
            SocketPath = socket,
            Group = group,
            Threads = threads,
            MultiProcess = multiprocess,
            Processes = processes,
            PythonExecutable = python,
            PythonHome = pythonHome,
            PythonPath = pythonPath,
            PythonOptimize = optimize,
            Home = home,
            MaximumRequests = maximumRequests,
            GracefulTimeout = TimeSpan.FromSeconds(graceful),
            ShutdownTimeoutSeconds = shutdown,
            SendBufferSize = sendBufferSize,
            ReceiveBufferSize = receiveBufferSize,
            Secret = secret,
            DisplayName = displayName,
            User = user,
            RestartIntervalSeconds = restartInterval,
            InactivityTimeoutSeconds = inactivity,
            DeadlockTimeoutSeconds = deadlockTimeout,
            StartupTimeoutSeconds = startupTimeout,
            EvictionTimeoutSeconds = evictionTimeout,
            Umask = umask,
            MemoryLimit = memoryLimit,
            VirtualMemoryLimit = virtualMemoryLimit,
            CpuTimeLimitSeconds = cpuTimeLimit,
            RunAsGroup = runAsGroup,
            SupplementaryGroups = supplementaryGroups,
            PythonEggs = pythonEggs,
            CpuPriority = cpuPriority,
            Imports = imports,
            ReloadOnChanges = reloadOnChanges,
            OwnGil = ownGil,
            ApplicationInterpreters = interpreters,
            RequestTimeoutSeconds = requestTimeout,
            InterruptTimeoutSeconds = interruptTimeout,
            Locale = locale,
        };
        return (options, errorLog, level, moduleLevels);
    }
}
