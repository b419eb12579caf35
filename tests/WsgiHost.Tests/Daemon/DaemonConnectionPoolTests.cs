using WsgiHost.Daemon;
using WsgiHost.Tests.Interop;

namespace WsgiHost.Tests.Daemon;

/// <summary>
/// The front's pool of connections to a worker, over real Unix socket pairs: the connection
/// returned last is taken first, and those left unused for the idle timeout are closed (the
/// worker's end reads the end of the stream) while the rest stay, in their order.
/// </summary>
public sealed class DaemonConnectionPoolTests : IDisposable
{
    private readonly List<UnixSocketPair> _pairs = [];

    public void Dispose()
    {
        foreach (UnixSocketPair pair in _pairs)
        {
            pair.Dispose();
        }
    }

    private (DaemonConnection Front, UnixSocketPair Pair) Connection()
    {
        var pair = new UnixSocketPair();
        _pairs.Add(pair);
        return (new DaemonConnection(pair.Connecting), pair);
    }

    /// <summary>True when the worker's end of the pair reads the end of the stream: the front closed it.</summary>
    private static bool ClosedByFront(UnixSocketPair pair)
    {
        if (!pair.Accepted.Poll(TimeSpan.FromSeconds(2), System.Net.Sockets.SelectMode.SelectRead))
        {
            return false;
        }
        return pair.Accepted.Receive(new byte[1]) == 0;
    }

    [Fact]
    public void TheConnectionReturnedLastIsTakenFirst()
    {
        var pool = new DaemonConnectionPool();
        var (first, _) = Connection();
        var (second, _) = Connection();
        pool.Return(first);
        pool.Return(second);

        Assert.True(pool.TryTake(out DaemonConnection? taken));
        Assert.Same(second, taken);
        Assert.True(pool.TryTake(out taken));
        Assert.Same(first, taken);
        Assert.False(pool.TryTake(out _));
    }

    [Fact]
    public void ConnectionsUnusedForTheTimeoutAreClosedAndTheOthersStayInOrder()
    {
        var pool = new DaemonConnectionPool();
        var (old, oldPair) = Connection();
        var (recent, recentPair) = Connection();
        var (newest, newestPair) = Connection();
        pool.Return(old);
        pool.Return(recent);
        pool.Return(newest);
        long now = Environment.TickCount64;
        old.IdleSince = now - 10_000;
        recent.IdleSince = now - 9_999;
        newest.IdleSince = now;

        Assert.Equal(1, pool.CloseIdle(now, TimeSpan.FromSeconds(10)));

        Assert.True(ClosedByFront(oldPair));
        Assert.False(recentPair.Accepted.Poll(TimeSpan.FromMilliseconds(50), System.Net.Sockets.SelectMode.SelectRead));
        Assert.False(newestPair.Accepted.Poll(TimeSpan.Zero, System.Net.Sockets.SelectMode.SelectRead));
        Assert.Equal(2, pool.Count);
        Assert.True(pool.TryTake(out DaemonConnection? taken));
        Assert.Same(newest, taken);
        Assert.True(pool.TryTake(out taken));
        Assert.Same(recent, taken);
    }

    [Fact]
    public void ALaterSweepClosesWhatAgedSinceAndAnEmptyPoolClosesNothing()
    {
        var pool = new DaemonConnectionPool();
        Assert.Equal(0, pool.CloseIdle(Environment.TickCount64, DaemonConnectionPool.IdleTimeout));

        var (connection, pair) = Connection();
        pool.Return(connection);
        long returned = connection.IdleSince;
        Assert.Equal(0, pool.CloseIdle(returned + 5_000, DaemonConnectionPool.IdleTimeout));
        Assert.Equal(1, pool.Count);
        Assert.Equal(1, pool.CloseIdle(returned + 15_000, DaemonConnectionPool.IdleTimeout));
        Assert.Equal(0, pool.Count);
        Assert.True(ClosedByFront(pair));
    }

    [Fact]
    public void CloseAllClosesEveryWaitingConnection()
    {
        var pool = new DaemonConnectionPool();
        var (a, aPair) = Connection();
        var (b, bPair) = Connection();
        pool.Return(a);
        pool.Return(b);

        pool.CloseAll();

        Assert.Equal(0, pool.Count);
        Assert.True(ClosedByFront(aPair));
        Assert.True(ClosedByFront(bPair));
    }
}
