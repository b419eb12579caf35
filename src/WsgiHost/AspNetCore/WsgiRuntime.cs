using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WsgiHost.Python.Runtime;
using WsgiHost.Python.Wsgi;

namespace WsgiHost.AspNetCore;

/// <summary>
/// The process's embedded Python and its WSGI threads for an ASP.NET Core host: started once
/// (by <see cref="WsgiLifetimeService"/> at host start, or by the first request when the host
/// runs no hosted services), stopped once, executor before Python so no request is still
/// inside Python when it is finalised.
/// </summary>
internal sealed class WsgiRuntime : IDisposable
{
    /// <summary>The ILogger category of everything the Python side writes.</summary>
    public const string LogCategory = "WsgiHost";

    private readonly WsgiOptions _options;
    private readonly Lock _lock = new();
    private PythonRuntime? _python;
    private WsgiExecutor? _executor;
    private bool _stopped;

    public WsgiRuntime(IOptions<WsgiOptions> options, ILoggerFactory loggers)
    {
        _options = options.Value;
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.Threads, 1, "WsgiOptions.Threads");
        Log = new LoggerErrorLog(loggers.CreateLogger(LogCategory), _options.LogLevel);
    }

    public IErrorLog Log { get; }

    /// <summary>wsgi.multithread of the applications: more than one WSGI thread may run them.</summary>
    public bool MultiThread => _options.Threads > 1;

    /// <summary>The running Python and executor, starting them on first call.</summary>
    /// <exception cref="InvalidOperationException">The host is stopping or has stopped.</exception>
    public (PythonRuntime Python, WsgiExecutor Executor) Start()
    {
        lock (_lock)
        {
            if (_stopped)
            {
                throw new InvalidOperationException("the embedded Python has been stopped with the host");
            }
            if (_python == null || _executor == null)
            {
                _python = PythonRuntime.Start(_options.Python, _options.PythonHome,
                    new PythonRuntimeOptions { PythonPath = [.. _options.PythonPath] }, Log);
                Log.Write(ErrorLogLevel.Notice, "wsgi", $"Initializing Python {_python.Version} from {_python.LibraryPath} (sys.executable {_python.Executable}), {_options.Threads} WSGI threads.");
                _executor = new WsgiExecutor(_options.Threads, Log);
            }
            return (_python, _executor);
        }
    }

    /// <summary>Stops the WSGI threads, then finalises Python. Idempotent.</summary>
    public void Stop()
    {
        PythonRuntime? python;
        WsgiExecutor? executor;
        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }
            _stopped = true;
            python = _python;
            executor = _executor;
        }
        executor?.Dispose();
        python?.Dispose();
        if (python != null)
        {
            Log.Write(ErrorLogLevel.Notice, "wsgi", "Python finalised.");
        }
    }

    /// <summary>The service provider's disposal is the last chance when no host ran the lifetime service.</summary>
    public void Dispose() => Stop();
}
