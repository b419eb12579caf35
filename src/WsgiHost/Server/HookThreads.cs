using System.Collections.Concurrent;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Server;

/// <summary>
/// Dedicated threads for mod_wsgi's Python authentication hooks (check_password, groups_for_user,
/// allow_access), which run before the app, on the request's way through access control. Python
/// never runs on the .NET thread pool: a hook that waits on a database, or for the GIL while the
/// WSGI threads hold it, would hold a pool thread meanwhile, and the pool adds threads back only
/// slowly, so every other request would wait too. As many threads as WSGI threads, as Apache's
/// children have one thread per request in flight; each keeps its Python thread states, as the
/// WSGI threads do. Started only for a site that configures a hook.
/// </summary>
internal sealed class HookThreads : IDisposable
{
    private readonly BlockingCollection<Action> _work = new();
    private readonly Thread[] _threads;
    private readonly IErrorLog _log;

    public HookThreads(int count, IErrorLog log)
    {
        _log = log;
        _threads = new Thread[count];
        for (int i = 0; i < count; i++)
        {
            _threads[i] = new Thread(Run) { Name = $"wsgi-hook-{i}", IsBackground = true };
            _threads[i].Start();
        }
    }

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
        return done.Task;
    }

    private void Run()
    {
        foreach (Action work in _work.GetConsumingEnumerable())
        {
            work();
        }
    }

    /// <summary>Lets queued hooks finish, then ends the threads: before Python ends, which must find them out of it.</summary>
    public void Dispose()
    {
        _work.CompleteAdding();
        DateTime until = DateTime.UtcNow.AddSeconds(10);
        foreach (Thread thread in _threads)
        {
            TimeSpan left = until - DateTime.UtcNow;
            if (!thread.Join(left > TimeSpan.Zero ? left : TimeSpan.Zero))
            {
                _log.Write(ErrorLogLevel.Warning, "wsgi", $"{thread.Name} was still running an authentication hook 10 s into shutdown; Python ends under it.");
            }
        }
    }
}
