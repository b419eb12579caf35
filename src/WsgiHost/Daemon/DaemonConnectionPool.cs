using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace WsgiHost.Daemon;

/// <summary>
/// The front's connections to one worker between requests: the one returned last is taken
/// first, and those no request took for <see cref="IdleTimeout"/> are closed by
/// <see cref="CloseIdle"/>.
/// </summary>
/// <remarks>
/// Closing them is what gives memory back after a burst. A connection costs both processes a
/// socket and the worker a serving task, and one that carried an upload 516 KiB of shared
/// memory in each (<see cref="BodySlots"/>): a group of 2 workers x 8 threads kept 7-8 MB of it
/// mapped (about 15 MB of RSS, front and workers counted) from one burst of 1 MiB uploads until
/// the workers were replaced, and a group with more threads keeps more. Taking the most recently
/// returned connection first leaves the surplus at the bottom, where it ages out, while steady
/// traffic keeps reusing the same few. A request that finds none connects anew (tens of
/// microseconds).
/// </remarks>
internal sealed class DaemonConnectionPool
{
    /// <summary>How long a connection may wait unused before <see cref="CloseIdle"/> closes it.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentStack<DaemonConnection> _idle = new();

    /// <summary>Connections waiting for a request.</summary>
    public int Count => _idle.Count;

    public bool TryTake([MaybeNullWhen(false)] out DaemonConnection connection) => _idle.TryPop(out connection);

    /// <summary>A connection whose exchange ended cleanly, ready for the next request.</summary>
    public void Return(DaemonConnection connection)
    {
        connection.IdleSince = Environment.TickCount64;
        _idle.Push(connection);
    }

    /// <summary>Closes every waiting connection (their worker is gone, or the group stops).</summary>
    public void CloseAll()
    {
        while (_idle.TryPop(out DaemonConnection? connection))
        {
            connection.Dispose();
        }
    }

    /// <summary>
    /// Closes the connections that waited <paramref name="idleFor"/> or longer as of
    /// <paramref name="now"/> (<see cref="Environment.TickCount64"/>); the others go back in the
    /// order they were in. Returns how many were closed.
    /// </summary>
    public int CloseIdle(long now, TimeSpan idleFor)
    {
        int count = _idle.Count;
        if (count == 0)
        {
            return 0;
        }
        // Taken out all at once, top first; a request meanwhile finds fewer (or none, and
        // connects), and one returned meanwhile lands below those put back.
        var taken = new DaemonConnection[count];
        int got = _idle.TryPopRange(taken);
        var kept = new List<DaemonConnection>(got);
        int closed = 0;
        for (int i = 0; i < got; i++)
        {
            if (now - taken[i].IdleSince >= (long)idleFor.TotalMilliseconds)
            {
                taken[i].Dispose();
                closed++;
            }
            else
            {
                kept.Add(taken[i]);
            }
        }
        if (kept.Count > 0)
        {
            // PushRange puts its last item on top: the bottom one goes first.
            kept.Reverse();
            _idle.PushRange([.. kept]);
        }
        return closed;
    }
}
