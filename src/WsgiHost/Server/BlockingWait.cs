using System.Runtime.CompilerServices;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Server;

/// <summary>
/// Waits on a WSGI thread for one of Kestrel's pipe operations (a body read, a flush) to
/// finish. Task.Wait, reached through AsTask(), allocates a Task per wait and spins with
/// sched_yield before it blocks: on two cores the spinning took the CPU from the threads that
/// were to complete the wait (a 1 MiB upload, perf: 5% of the server's CPU in SpinWait). This
/// blocks at once, on a parker of the thread's own (<see cref="ThreadParker"/>), reused for
/// every wait the thread makes.
/// </summary>
internal sealed class BlockingWait
{
    [ThreadStatic]
    private static BlockingWait? t_current;

    private readonly ThreadParker _parker = new();
    private readonly Action _set;

    private BlockingWait() => _set = _parker.Unpark;

    /// <summary>The result of pending, blocking this thread until it has one.</summary>
    public static T Result<T>(ValueTask<T> pending)
    {
        if (!pending.IsCompleted)
        {
            (t_current ??= new BlockingWait()).Wait(pending.ConfigureAwait(false).GetAwaiter());
        }
        return pending.GetAwaiter().GetResult();
    }

    private void Wait<T>(ConfiguredValueTaskAwaitable<T>.ConfiguredValueTaskAwaiter awaiter)
    {
        awaiter.UnsafeOnCompleted(_set);
        _parker.Park();
    }
}
