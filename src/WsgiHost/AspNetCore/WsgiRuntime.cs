using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WsgiHost.Configuration.Directives;
using WsgiHost.Configuration.Model;
using WsgiHost.Configuration.Syntax;
using WsgiHost.Daemon;
using WsgiHost.Python.Runtime;
using WsgiHost.Python.Wsgi;

using WsgiHost.Server;

namespace WsgiHost.AspNetCore;

/// <summary>
/// The Python side of an ASP.NET Core host: the embedded Python and its WSGI threads, and the
/// daemon process groups. Each starts once (at host start, or on first use when the host runs
/// no hosted services) and stops once, daemon groups and executor before Python, so no request
/// is still inside Python when it is finalised.
/// </summary>
internal sealed class WsgiRuntime : IDisposable
{
    /// <summary>The ILogger category of everything the Python side writes.</summary>
    public const string LogCategory = "WsgiHost";

    private readonly WsgiOptions _options;
    private readonly SiteConfig? _daemonSite;
    private readonly Lock _lock = new();
    private PythonRuntime? _python;
    private WsgiExecutor? _executor;
    private DaemonGroups? _daemons;
    private int _embeddedMounts;
    private bool _stopped;

    public WsgiRuntime(IOptions<WsgiOptions> options, ILoggerFactory loggers)
    {
        _options = options.Value;
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.Threads, 1, "WsgiOptions.Threads");
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.Interpreters, 1, "WsgiOptions.Interpreters");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(_options.Interpreters, Configuration.Directives.WsgiDirectives.MaxApplicationInterpreters, "WsgiOptions.Interpreters");
        if (Environment.GetEnvironmentVariable(StartupHookLauncher.ArgumentsVariable) != null)
        {
            // The startup hook should have turned this process into a worker before Main.
            throw new InvalidOperationException(
                "this process was started as a WsgiHost daemon worker, but .NET startup hooks did not run (System.StartupHookProvider.IsSupported is false, e.g. in a trimmed or native AOT app); enable startup hooks or run the application embedded (no ProcessGroup)");
        }
        Log = new LoggerErrorLog(loggers.CreateLogger(LogCategory), _options.LogLevel);
        _daemonSite = DaemonSite(_options);
    }

    public IErrorLog Log { get; }

    /// <summary>wsgi.multithread of the applications: more than one WSGI thread may run them.</summary>
    public bool MultiThread => _options.Threads > 1;

    /// <summary>Called by MapWsgi for a mount that runs in this process: Python is then started with the host.</summary>
    public void AddEmbeddedMount() => Interlocked.Increment(ref _embeddedMounts);

    public bool HasDaemonGroup(string name) => _daemonSite?.DaemonGroups.Any(g => g.Name == name) == true;

    /// <summary>Starts what the host needs at start: the daemon groups, and Python when a mount runs embedded.</summary>
    public void StartForHost()
    {
        Daemons();
        if (Volatile.Read(ref _embeddedMounts) > 0)
        {
            Start();
        }
    }

    /// <summary>The running Python and executor, starting them on first call.</summary>
    /// <exception cref="InvalidOperationException">The host is stopping or has stopped.</exception>
    public (PythonRuntime Python, WsgiExecutor Executor) Start()
    {
        lock (_lock)
        {
            ThrowIfStopped();
            if (_python == null || _executor == null)
            {
                _python = PythonRuntime.Start(_options.Python, _options.PythonHome,
                    new PythonRuntimeOptions { PythonPath = [.. _options.PythonPath], ApplicationInterpreters = _options.Interpreters, ThreadsPerProcess = _options.Threads }, Log);
                Log.Write(ErrorLogLevel.Notice, "wsgi", $"Initializing Python {_python.Version} from {_python.LibraryPath} (sys.executable {_python.Executable}), {_options.Threads} WSGI threads.");
                _executor = new WsgiExecutor(_options.Threads, Log);
            }
            return (_python, _executor);
        }
    }

    /// <summary>The daemon process groups, starting their workers on first call.</summary>
    /// <exception cref="InvalidOperationException">The host is stopping or has stopped.</exception>
    public DaemonGroups Daemons()
    {
        lock (_lock)
        {
            ThrowIfStopped();
            return _daemons ??= _daemonSite == null ? DaemonGroups.Empty : DaemonGroups.Start(_daemonSite, StartupHookLauncher.Launch, Log);
        }
    }

    // The prefixes mounted on each route builder (a route group is a builder of its own).
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, HashSet<string>> _mounts = new();

    /// <summary>Takes <paramref name="prefix"/> on <paramref name="builder"/>; false when a mount there has it already.</summary>
    public bool ClaimMount(object builder, string prefix)
    {
        HashSet<string> taken = _mounts.GetOrCreateValue(builder);
        lock (taken)
        {
            return taken.Add(prefix.ToLowerInvariant());
        }
    }

    private void ThrowIfStopped()
    {
        if (_stopped)
        {
            throw new InvalidOperationException("the WSGI runtime has been stopped with the host");
        }
    }

    /// <summary>
    /// Stops the daemon workers and the WSGI threads, then finalises Python. Idempotent. Threads
    /// still running a request when <paramref name="stopping"/> is cancelled (the host's
    /// ShutdownTimeout ran out) are left to end with the process, and Python is not finalised
    /// under them: finalising would wait for them, or pull the interpreter from under them.
    /// </summary>
    public async Task StopAsync(CancellationToken stopping = default)
    {
        PythonRuntime? python;
        WsgiExecutor? executor;
        DaemonGroups? daemons;
        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }
            _stopped = true;
            (python, executor, daemons) = (_python, _executor, _daemons);
        }
        if (daemons != null)
        {
            await daemons.DisposeAsync().ConfigureAwait(false);
        }
        // Python and the WSGI threads are made together (Start).
        if (executor != null)
        {
            EmbeddedPythonShutdown.Stop(executor, python, Log, TimeSpan.FromSeconds(30), stopping);
        }
    }

    /// <summary>The service provider's disposal is the last chance when no host ran the lifetime service.</summary>
    public void Dispose() => StopAsync().GetAwaiter().GetResult();

    /// <summary>
    /// The daemon groups as a configuration: each AddDaemonProcess is read as the
    /// WSGIDaemonProcess line it stands for, so its options get the same checks and meaning.
    /// </summary>
    private static SiteConfig? DaemonSite(WsgiOptions options)
    {
        if (options.DaemonProcesses.Count == 0)
        {
            return null;
        }
        // The site builder insists on a Listen, as a real site needs one; here ASP.NET Core's
        // server listens and these listeners are never bound.
        var text = new StringBuilder("Listen 127.0.0.1:80\n");
        foreach (var (name, groupOptions) in options.DaemonProcesses)
        {
            text.Append("WSGIDaemonProcess ").Append(Quote(name)).Append(' ').Append(groupOptions.ReplaceLineEndings(" ")).Append('\n');
        }
        const string source = "AddWsgi";
        SiteConfigResult result = SiteConfigBuilder.FromText(text.ToString(), source, new ConfigReaderOptions { ServerRoot = Directory.GetCurrentDirectory() });
        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (result.Config == null || errors.Count > 0)
        {
            throw new InvalidOperationException("AddDaemonProcess: " + string.Join("; ", errors.Select(e => e.Message + (e.Fix != null ? $" (fix: {e.Fix})" : ""))));
        }
        return result.Config with
        {
            Python = new PythonSettings { Executable = options.Python, Home = options.Python == null ? options.PythonHome : null, Path = [.. options.PythonPath] },
            LogLevel = WorkerLevel(options.LogLevel),
        };
    }

    private static string Quote(string name) => name.Any(char.IsWhiteSpace) || name.Contains('"', StringComparison.Ordinal) ? "\"" + name.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"" : name;

    /// <summary>The workers write what the host's filter would pass, so their lines are not made only to be dropped.</summary>
    private static ErrorLogLevel WorkerLevel(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => ErrorLogLevel.Debug,
        LogLevel.Information => ErrorLogLevel.Info,
        LogLevel.Warning => ErrorLogLevel.Warning,
        LogLevel.Error => ErrorLogLevel.Error,
        _ => ErrorLogLevel.Critical,
    };
}
