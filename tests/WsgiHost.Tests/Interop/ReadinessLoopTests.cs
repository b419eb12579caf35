using System.Net.Sockets;
using WsgiHost.Python.Interop;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Tests.Interop;

/// <summary>
/// The readiness loop over a real Unix socket pair: one notification per arming, readability
/// only, none once a socket is removed, and a loop that stops when disposed.
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

    /// <summary>A counting target, armed on the socket under a new id.</summary>
    private (CountingTarget Target, ulong Id) Armed()
    {
        var target = new CountingTarget();
        ulong id = _loop.Add(target);
        _loop.Arm(_socket.SafeHandle, id, first: true);
        return (target, id);
    }

    [Fact]
    public async Task AnArmedSocketIsNotifiedOnceWhenReadableAndAgainOnlyWhenArmedAgain()
    {
        var (target, id) = Armed();
        // Writable from the start, and kept writable: that is never a notification.
        await Task.Delay(100);
        Assert.Equal(0, target.Count);

        _peer.Send([1]);
        await target.WaitForAsync(1);
        _peer.Send([2]);
        await Task.Delay(100);
        Assert.Equal(1, target.Count); // one-shot: still unread, but not armed again

        _loop.Arm(_socket.SafeHandle, id, first: false);
        await target.WaitForAsync(2); // the unread bytes make it readable at once
        Assert.Empty(_errors);
    }

    [Fact]
    public async Task ANotificationIsStampedAfterTheBytesThatMadeTheSocketReadable()
    {
        // A daemon worker checks a script for changes as of this stamp: it must not be earlier
        // than the bytes (a change made before a request was sent must be seen by the request).
        var (target, _) = Armed();
        await Task.Delay(50);
        long sent = System.Diagnostics.Stopwatch.GetTimestamp();
        _peer.Send([1]);
        await target.WaitForAsync(1);
        Assert.InRange(target.LastAnnounced, sent, System.Diagnostics.Stopwatch.GetTimestamp());
    }

    [Fact]
    public async Task ARemovedSocketIsNotNotified()
    {
        var (target, id) = Armed();
        _loop.Remove(_socket.SafeHandle, id, armedBefore: true);
        _peer.Send([1]);
        await Task.Delay(150);
        Assert.Equal(0, target.Count);
    }

    [Fact]
    public async Task ThePeersCloseIsANotification()
    {
        var (target, _) = Armed();
        _peer.Close();
        await target.WaitForAsync(1);
    }

    [Fact]
    public async Task AFailingTargetIsLoggedAndTheLoopGoesOn()
    {
        ulong bad = _loop.Add(new ThrowingTarget());
        _loop.Arm(_socket.SafeHandle, bad, first: true);
        _peer.Send([1]);
        SpinWait.SpinUntil(() => { lock (_errors) { return _errors.Count > 0; } }, TimeSpan.FromSeconds(10));
        Assert.Contains(_errors, e => e.Contains("readiness callback failed", StringComparison.Ordinal));

        var target = new CountingTarget();
        ulong good = _loop.Add(target);
        _loop.Remove(_socket.SafeHandle, bad, armedBefore: true);
        _loop.Arm(_socket.SafeHandle, good, first: true);
        await target.WaitForAsync(1);
    }

    [Fact]
    public async Task DisposedFromItsOwnCallbackTheLoopEndsWithoutWaitingForItself()
    {
        var disposing = new DisposingTarget(_loop);
        ulong id = _loop.Add(disposing);
        _loop.Arm(_socket.SafeHandle, id, first: true);
        _peer.Send([1]);
        await disposing.Disposed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        // Stopped: arming again is refused, and removing is harmless.
        Assert.Throws<ObjectDisposedException>(() => _loop.Arm(_socket.SafeHandle, id, first: false));
        _loop.Remove(_socket.SafeHandle, id, armedBefore: true);
        Assert.Empty(_errors);
    }

    private sealed class DisposingTarget(ReadinessLoop loop) : IReadinessTarget
    {
        public TaskCompletionSource Disposed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnReadable(long announced)
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

        private long _announced;

        public void OnReadable(long announced)
        {
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
        public void OnReadable(long announced) => throw new InvalidOperationException("a bug in a target");
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
