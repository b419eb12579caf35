using System.Collections.Concurrent;
using WsgiHost.Python.Runtime;
using WsgiHost.Python.Wsgi;

namespace WsgiHost.Daemon;

/// <summary>
/// interrupt-timeout (mod_wsgi 6): a request still running after request-timeout gets
/// RequestTimeout raised in its thread, once. If the app unwinds, the worker answers 504 and
/// lives on; if not (a C call that never returns to Python), the front recycles the worker
/// interrupt-timeout later, as without this option.
/// </summary>
internal sealed class RequestInterrupter : IDisposable
{
    private readonly ConcurrentDictionary<IWsgiExchange, (WsgiApplication App, DateTime Started)> _running = new();
    private readonly PythonRuntime _python;
    private readonly TimeSpan _requestTimeout;
    private readonly string _described;
    private readonly string _group;
    private readonly IErrorLog _log;
    private readonly Timer _timer;

    public RequestInterrupter(PythonRuntime python, int requestTimeoutSeconds, int threads, int interruptTimeoutSeconds, string group, IErrorLog log)
    {
        _python = python;
        _requestTimeout = RequestTimeoutRule.PerRequest(requestTimeoutSeconds, threads);
        _described = RequestTimeoutRule.Describe(requestTimeoutSeconds, threads);
        _group = group;
        _log = log;
        InterruptTimeoutSeconds = interruptTimeoutSeconds;
        _timer = new Timer(_ => Tick(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    private int InterruptTimeoutSeconds { get; }

    public void Started(IWsgiExchange exchange, WsgiApplication app) => _running[exchange] = (app, DateTime.UtcNow);

    public void Ended(IWsgiExchange exchange) => _running.TryRemove(exchange, out _);

    private void Tick()
    {
        DateTime now = DateTime.UtcNow;
        foreach (var (exchange, (app, started)) in _running)
        {
            // Removed first: each request is interrupted at most once.
            if (now - started >= _requestTimeout && _running.TryRemove(exchange, out _))
            {
                // Off the timer thread: raising waits for python-main and the interpreter's GIL.
                _ = Task.Run(() => Interrupt(app, exchange));
            }
        }
    }

    private void Interrupt(WsgiApplication app, IWsgiExchange exchange)
    {
        try
        {
            if (WsgiGateway.Interrupt(_python, exchange))
            {
                _log.Write(ErrorLogLevel.Warning, "wsgi",
                    $"[client {exchange.ClientForLog}] Daemon process group '{_group}': a request of '{app.Options.ScriptPath}' ran past {_described}; raised RequestTimeout in its thread (the worker is recycled if it has not ended within interrupt-timeout={InterruptTimeoutSeconds} s).");
            }
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException)
        {
            // Python is shutting down.
        }
    }

    public void Dispose() => _timer.Dispose();
}
