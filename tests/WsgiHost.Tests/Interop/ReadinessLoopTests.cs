using System.Net.Sockets;
using WsgiHost.Python.Interop;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Tests.Interop;

/// <summary>
/// The readiness loop over a real Unix socket pair: a notification for every arrival, none for
/// room to write, none while paused or once removed, and a loop that stops when disposed.
/// </summary>
public sealed class ReadinessLoopTests : IDisposable
{
    private readonly UnixSocketPair _pair = new();
    private readonly List<string> _errors = [];
    private readonly ReadinessLoop _loop;

    private readonly Socket _peer;
    private readonly Socket _socket;

    public ReadinessLoopTests()
    {
        _loop = new ReadinessLoop("test-events", new ListLog(_errors));
        _peer = _pair.Connecting;
        _socket = _pair.Accepted;
    }

    public void Dispose()
    {
        _loop.Dispose();
        _pair.Dispose();
    }

    /// <summary>A counting target, added with the socket under a new id.</summary>
    private (CountingTarget Target, ulong Id) Added()
    {
        var target = new CountingTarget();
        return (target, _loop.Add(_socket.SafeHandle, target));
    }

    [Fact]
    public async Task EveryArrivalIsANotificationAndRoomToWriteIsNone()
    {
        var (target, _) = Added();
        // Writable from the start, and kept writable: that is never a notification.
        await Task.Delay(100);
        Assert.Equal(0, target.Count);

        _peer.Send([1]);
        await target.WaitForAsync(1);
        await Task.Delay(100);
        Assert.Equal(1, target.Count); // still unread, but nothing new arrived: told once

        _peer.Send([2]);
        await target.WaitForAsync(2); // a new arrival, though the first byte is still unread
        byte[] read = new byte[4];
        Assert.Equal(2, _socket.Receive(read));
        await Task.Delay(100);
        Assert.Equal(2, target.Count);
        Assert.Empty(_errors);
    }

    [Fact]
    public async Task BytesAlreadyThereWhenTheSocketIsAddedAreANotification()
    {
        _peer.Send([1]);
        var (target, _) = Added();
        await target.WaitForAsync(1);
    }

    [Fact]
    public async Task APausedSocketIsNotNotifiedAndOnResumingIsToldOfWhatIsThere()
    {
        var (target, id) = Added();
        _loop.Pause(_socket.SafeHandle, id);
        _peer.Send([1]);
        await Task.Delay(150);
        Assert.Equal(0, target.Count);

        _loop.Resume(_socket.SafeHandle, id);
        await target.WaitForAsync(1); // the byte that came while paused
        _peer.Send([2]);
        await target.WaitForAsync(2);
    }

    [Fact]
    public async Task ANotificationIsStampedAfterTheBytesThatMadeTheSocketReadable()
    {
        // A daemon worker checks a script for changes as of this stamp: it must not be earlier
        // than the bytes (a change made before a request was sent must be seen by the request).
        var (target, _) = Added();
        await Task.Delay(50);
        long sent = System.Diagnostics.Stopwatch.GetTimestamp();
        _peer.Send([1]);
        await target.WaitForAsync(1);
        long now = System.Diagnostics.Stopwatch.GetTimestamp();
        Assert.InRange(target.LastAnnounced, sent, now);
        // The poll that reported it began before the bytes came (the loop was waiting).
        Assert.InRange(target.LastPolledFrom, 0, sent);
    }

    [Fact]
    public async Task ARemovedSocketIsNotNotified()
    {
        var (target, id) = Added();
        _loop.Remove(_socket.SafeHandle, id);
        _peer.Send([1]);
        await Task.Delay(150);
        Assert.Equal(0, target.Count);
    }

    [Fact]
    public async Task ThePeersCloseIsANotification()
    {
        var (target, _) = Added();
        _peer.Close();
        await target.WaitForAsync(1);
    }

    [Fact]
    public async Task AFailingTargetIsLoggedAndTheLoopGoesOn()
    {
        ulong bad = _loop.Add(_socket.SafeHandle, new ThrowingTarget());
        _peer.Send([1]);
        SpinWait.SpinUntil(() => { lock (_errors) { return _errors.Count > 0; } }, TimeSpan.FromSeconds(10));
        Assert.Contains(_errors, e => e.Contains("readiness callback failed", StringComparison.Ordinal));

        _loop.Remove(_socket.SafeHandle, bad);
        var (target, _) = Added();
        await target.WaitForAsync(1); // the unread byte
    }

    [Fact]
    public async Task DisposedFromItsOwnCallbackTheLoopEndsWithoutWaitingForItself()
    {
        var disposing = new DisposingTarget(_loop);
        ulong id = _loop.Add(_socket.SafeHandle, disposing);
        _peer.Send([1]);
        await disposing.Disposed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        // Stopped: adding, pausing and resuming are refused, and removing is harmless.
        Assert.Throws<ObjectDisposedException>(() => _loop.Resume(_socket.SafeHandle, id));
        Assert.Throws<ObjectDisposedException>(() => _loop.Pause(_socket.SafeHandle, id));
        Assert.Throws<ObjectDisposedException>(() => _loop.Add(_socket.SafeHandle, new CountingTarget()));
        _loop.Remove(_socket.SafeHandle, id);
        Assert.Empty(_errors);
    }

    [Fact]
    public async Task TheTimerRunsOnlyOnceWantedAndAgainWithinWhatItReturnsUntilItSaysNoMore()
    {
        // A timer that asks for 3 looks, 20 ms apart, then none.
        var looks = new List<long>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _loop.SetTimer(() =>
        {
            lock (looks)
            {
                looks.Add(System.Diagnostics.Stopwatch.GetTimestamp());
                if (looks.Count < 3)
                {
                    return 20;
                }
            }
            done.TrySetResult();
            return -1;
        });
        await Task.Delay(100);
        lock (looks)
        {
            Assert.Empty(looks); // not wanted yet: the loop waits for arrivals only
        }

        // Wanted from another thread: the loop, waiting with no timeout, is woken for it.
        long wanted = System.Diagnostics.Stopwatch.GetTimestamp();
        _loop.WantTimer();
        await done.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(100);
        lock (looks)
        {
            Assert.Equal(3, looks.Count); // -1 ended it
            Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(wanted, looks[0]) < TimeSpan.FromSeconds(5));
            // Each next look came no sooner than the timeout it asked for (an arrival could
            // bring it sooner; none came here).
            Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(looks[0], looks[1]) >= TimeSpan.FromMilliseconds(19));
            Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(looks[1], looks[2]) >= TimeSpan.FromMilliseconds(19));
        }

        // Wanted again from a callback on the loop's own thread: it runs after the callback.
        var again = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _loop.SetTimer(() =>
        {
            again.TrySetResult();
            return -1;
        });
        _loop.Add(_socket.SafeHandle, new WantingTarget(_loop));
        _peer.Send([1]);
        await again.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(_errors);
    }

    [Fact]
    public async Task AFailingTimerIsLoggedAndTheLoopGoesOn()
    {
        _loop.SetTimer(() => throw new InvalidOperationException("a bug in a timer"));
        _loop.WantTimer();
        SpinWait.SpinUntil(() => { lock (_errors) { return _errors.Count > 0; } }, TimeSpan.FromSeconds(10));
        Assert.Contains(_errors, e => e.Contains("timer failed", StringComparison.Ordinal));

        var (target, _) = Added();
        _peer.Send([1]);
        await target.WaitForAsync(1);
    }

    private sealed class WantingTarget(ReadinessLoop loop) : IReadinessTarget
    {
        public void OnReadable(long polledFrom, long announced) => loop.WantTimer();
    }

    private sealed class DisposingTarget(ReadinessLoop loop) : IReadinessTarget
    {
        public TaskCompletionSource Disposed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnReadable(long polledFrom, long announced)
        {
            loop.Dispose();
            Disposed.SetResult();
        }
    }

    private sealed class CountingTarget : IReadinessTarget
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public long LastAnnounced => Volatile.Read(ref _announced);

        public long LastPolledFrom => Volatile.Read(ref _polledFrom);

        private long _announced;
        private long _polledFrom;

        public void OnReadable(long polledFrom, long announced)
        {
            Volatile.Write(ref _polledFrom, polledFrom);
            Volatile.Write(ref _announced, announced);
            Interlocked.Increment(ref _count);
        }

        public async Task WaitForAsync(int count)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (Count < count)
            {
                Assert.True(DateTime.UtcNow < deadline, $"no notification {count} within 10 s");
                await Task.Delay(5);
            }
            Assert.Equal(count, Count);
        }
    }

    private sealed class ThrowingTarget : IReadinessTarget
    {
        public void OnReadable(long polledFrom, long announced) => throw new InvalidOperationException("a bug in a target");
    }

    private sealed class ListLog(List<string> lines) : IErrorLog
    {
        public void Write(ErrorLogLevel level, string module, string message)
        {
            lock (lines)
            {
                lines.Add(message);
            }
        }
    }
}
