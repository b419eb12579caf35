using System.Collections.Concurrent;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Python.Wsgi;

/// <summary>
/// The bounded pool of dedicated WSGI threads (mod_wsgi's threads=N). Python never runs on
/// the .NET thread pool: an app that blocks (sleep, a slow database) would starve it, and
/// the pool adds threads back only slowly (73 req/s against 616 measured with a sleeping app).
/// Kestrel's request handlers await the returned task.
/// </summary>
public sealed class WsgiExecutor : IDisposable
{
    private readonly ConcurrentQueue<WorkItem> _queue = new();
    private readonly SemaphoreSlim _available = new(0);
    private readonly Thread[] _threads;
    private readonly IErrorLog _log;
    private volatile bool _stopping;

    public WsgiExecutor(int threads, IErrorLog log)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        _log = log;
        _threads = new Thread[threads];
        for (int i = 0; i < threads; i++)
        {
            _threads[i] = new Thread(Work) { Name = $"wsgi-{i}", IsBackground = true };
            _threads[i].Start();
        }
    }

    public int ThreadCount => _threads.Length;

    /// <summary>Requests waiting for a free WSGI thread.</summary>
    public int QueueLength => _queue.Count;

    /// <summary>Runs the request on a WSGI thread; completes when the response has been handed to the transport.</summary>
    public Task RunAsync(WsgiApplication app, IWsgiExchange exchange)
    {
        if (_stopping)
        {
            throw new ObjectDisposedException(nameof(WsgiExecutor), "the server is shutting down");
        }
        var item = new WorkItem(app, exchange);
        _queue.Enqueue(item);
        _available.Release();
        return item.Task;
    }

    private void Work()
    {
        while (true)
        {
            _available.Wait();
            if (!_queue.TryDequeue(out WorkItem? item))
            {
                if (_stopping)
                {
                    return;
                }
                continue;
            }
            try
            {
                WsgiGateway.Invoke(item.App, item.Exchange);
                item.TrySetResult();
            }
            catch (Exception e)
            {
                // The gateway handles app errors itself; reaching here is a bug of ours or a
                // transport failure. Fail only this request and keep the thread.
                _log.Write(ErrorLogLevel.Error, "wsgi", $"[client {item.Exchange.ClientForLog}] Request failed in the WSGI gateway: {e}");
                item.TrySetException(e);
            }
        }
    }

    /// <summary>Lets queued requests finish, then stops the threads.</summary>
    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }
        _stopping = true;
        _available.Release(_threads.Length);
        foreach (Thread t in _threads)
        {
            t.Join(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>
    /// Continuations run synchronously on purpose: finishing the HTTP response (Kestrel's
    /// flush to the socket) then happens right here on the WSGI thread, without the GIL,
    /// instead of costing one more thread hop per request. Kestrel's completion path is
    /// asynchronous and returns as soon as it would wait.
    /// </summary>
    private sealed class WorkItem(WsgiApplication app, IWsgiExchange exchange) : TaskCompletionSource
    {
        public WsgiApplication App { get; } = app;

        public IWsgiExchange Exchange { get; } = exchange;
    }
}
