using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using WsgiHost.Daemon;
using WsgiHost.Logging;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Cli.Commands;

/// <summary>
/// `wsgihost worker`: one process of a WSGIDaemonProcess group, started by the server (never
/// by hand). It reads its options from the command line and the server's secret from its
/// environment, serves until SIGTERM or maximum-requests, and exits for the server to replace it.
/// </summary>
internal static class WorkerCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        string? socket = null, group = null, python = null, pythonHome = null, home = null, errorLog = null, displayName = null, user = null, runAsGroup = null;
        int threads = 15, maximumRequests = 0, graceful = 15;
        bool multiprocess = false;
        var pythonPath = new List<string>();
        var imports = new List<(string, string)>();
        int restartInterval = 0, inactivity = 0, deadlockTimeout = 0, startupTimeout = 0;
        long memoryLimit = 0, virtualMemoryLimit = 0, cpuTimeLimit = 0;
        string? umask = null;
        ErrorLogLevel level = ErrorLogLevel.Warning;
        var moduleLevels = new Dictionary<string, ErrorLogLevel>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new UsageException($"{arg} needs a value");
            switch (arg)
            {
                case "--socket": socket = Value(); break;
                case "--group": group = Value(); break;
                case "--threads": threads = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--multiprocess": multiprocess = true; break;
                case "--python": python = Value(); break;
                case "--python-home": pythonHome = Value(); break;
                case "--python-path": pythonPath.Add(Value()); break;
                case "--home": home = Value(); break;
                case "--maximum-requests": maximumRequests = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--graceful-timeout": graceful = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--error-log": errorLog = Value(); break;
                case "--display-name": displayName = Value(); break;
                case "--user": user = Value(); break;
                case "--restart-interval": restartInterval = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--inactivity-timeout": inactivity = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--deadlock-timeout": deadlockTimeout = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--startup-timeout": startupTimeout = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--umask": umask = Value(); break;
                case "--memory-limit": memoryLimit = long.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--virtual-memory-limit": virtualMemoryLimit = long.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--cpu-time-limit": cpuTimeLimit = long.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--run-as-group": runAsGroup = Value(); break;
                case "--import":
                    string importScript = Value();
                    if (i + 2 >= args.Count || args[i + 1] != "--import-group")
                    {
                        throw new UsageException("--import SCRIPT must be followed by --import-group GROUP");
                    }
                    i++;
                    imports.Add((importScript, Value()));
                    break;
                case "--log-level": level = Enum.Parse<ErrorLogLevel>(Value()); break;
                case "--module-log-level":
                    string[] moduleLevel = Value().Split('=', 2);
                    moduleLevels[moduleLevel[0]] = Enum.Parse<ErrorLogLevel>(moduleLevel[^1]);
                    break;
                default: throw new UsageException($"unknown worker option '{arg}'");
            }
        }
        string secret = Environment.GetEnvironmentVariable(DaemonKeys.SecretVariable)
            ?? throw new UsageException("wsgihost worker is started by the server, which gives it its secret; run wsgihost run or serve instead");
        // The secret must not reach the app's os.environ (Python reads the C environment).
        ProcessEnvironment.Unset(DaemonKeys.SecretVariable);
        if (socket == null || group == null)
        {
            throw new UsageException("wsgihost worker needs --socket and --group");
        }
        await using ApacheErrorLog log = errorLog == null ? new ApacheErrorLog(Console.Error, level, moduleLevels: moduleLevels) : ApacheErrorLog.ToFile(errorLog, level, moduleLevels);
        using var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        using var sigusr1 = PosixSignalRegistration.Create((PosixSignal)10, c => { c.Cancel = true; LogFile.ReopenAll(); });
        var worker = new DaemonWorker(new DaemonWorkerOptions
        {
            SocketPath = socket,
            Group = group,
            Threads = threads,
            MultiProcess = multiprocess,
            PythonExecutable = python,
            PythonHome = pythonHome,
            PythonPath = pythonPath,
            Home = home,
            MaximumRequests = maximumRequests,
            GracefulTimeout = TimeSpan.FromSeconds(graceful),
            Secret = secret,
            DisplayName = displayName,
            User = user,
            RestartIntervalSeconds = restartInterval,
            InactivityTimeoutSeconds = inactivity,
            DeadlockTimeoutSeconds = deadlockTimeout,
            StartupTimeoutSeconds = startupTimeout,
            Umask = umask,
            MemoryLimit = memoryLimit,
            VirtualMemoryLimit = virtualMemoryLimit,
            CpuTimeLimitSeconds = cpuTimeLimit,
            RunAsGroup = runAsGroup,
            Imports = imports,
        }, log);
        return await worker.RunAsync(stop.Token).ConfigureAwait(false);
    }

    /// <summary>Starts this same program as `wsgihost worker ...`, whether it runs as an apphost or under `dotnet`.</summary>
    public static ProcessStartInfo Launch(IReadOnlyList<string> workerArguments)
    {
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which program is running");
        var start = new ProcessStartInfo(host);
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(typeof(WorkerCommand).Assembly.Location);
        }
        foreach (string arg in workerArguments)
        {
            start.ArgumentList.Add(arg);
        }
        return start;
    }
}
