using System.Collections.Concurrent;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Server;

/// <summary>
/// Dedicated threads for mod_wsgi's Python authentication hooks (check_password, groups_for_user,
/// allow_access), which run before the app, on the request's way through access control. Python
/// never runs on the .NET thread pool: a hook that waits on a database, or for the GIL while the
/// WSGI threads hold it, would hold a pool thread meanwhile, and the pool adds threads back only
/// slowly, so every other request would wait too (QA: an unrelated request took 1.8 to 5.7 s
/// behind 16 logins whose check_password slept 2 s; 1 ms on these threads). A thread is added
/// when more hooks wait than threads are idle, up to <see cref="MaxThreads"/>, as Apache has a worker thread per
/// request in flight; each keeps its Python thread states, as the WSGI threads do. None exist
/// until a site with a hook has a first login.
/// </summary>
internal sealed class HookThreads : IDisposable
{
    /// <summary>Enough for logins that wait on a database side by side (Apache's event MPM has 25 threads a child).</summary>
    internal const int MaxThreads = 64;

    private readonly BlockingCollection<Action> _work = new();
    private readonly List<Thread> _threads = [];
    private readonly IErrorLog _log;
    private int _idle;

    public HookThreads(IErrorLog log) => _log = log;

    /// <summary>Runs <paramref name="work"/> on a hook thread; its exception, if any, is the task's.</summary>
    public Task<T> RunAsync<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            try
            {
                done.SetResult(work());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        });
        // More hooks waiting than threads free to take them: one more thread.
        if (_work.Count > Volatile.Read(ref _idle))
        {
            AddThread();
        }
        return done.Task;
    }

    private void AddThread()
    {
        lock (_threads)
        {
            if (_threads.Count >= MaxThreads || _work.Count <= Volatile.Read(ref _idle) || _work.IsAddingCompleted)
            {
                return;
            }
            var thread = new Thread(Run) { Name = $"wsgi-hook-{_threads.Count}", IsBackground = true };
            _threads.Add(thread);
            thread.Start();
        }
    }

    private void Run()
    {
        while (true)
        {
            Interlocked.Increment(ref _idle);
            bool taken = _work.TryTake(out Action? work, Timeout.Infinite);
            Interlocked.Decrement(ref _idle);
            if (!taken)
            {
                return;
            }
            work!();
        }
    }

    /// <summary>Lets queued hooks finish, then ends the threads: before Python ends, which must find them out of it.</summary>
    public void Dispose()
    {
        Thread[] threads;
        lock (_threads)
        {
            _work.CompleteAdding();
            threads = [.. _threads];
        }
        DateTime until = DateTime.UtcNow.AddSeconds(10);
        foreach (Thread thread in threads)
        {
            TimeSpan left = until - DateTime.UtcNow;
            if (!thread.Join(left > TimeSpan.Zero ? left : TimeSpan.Zero))
            {
                _log.Write(ErrorLogLevel.Warning, "wsgi", $"{thread.Name} was still running an authentication hook 10 s into shutdown; Python ends under it.");
            }
        }
    }
}
