using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;
using Microsoft.Win32.SafeHandles;
using WsgiHost.Python.Interop;

namespace WsgiHost.Daemon;

/// <summary>
/// A worker's reading end of a connection from the front, buffered (a request head and a small
/// body with its end marker usually arrive in one read). Between requests it waits for the
/// next one on the worker's <see cref="ReadinessLoop"/>, which hears of arrivals only; the
/// WSGI thread reads a request's body with blocking calls, the socket paused in the loop
/// meanwhile. It never starts an asynchronous operation of .NET's on the socket, which would
/// register the socket with .NET's engine.
/// </summary>
/// <remarks>
/// Between requests a read makes no system call until the loop tells of an arrival, then one
/// receive: the loop is edge-triggered, and a receive that did not fill the buffer left the
/// socket empty, so nothing is there before the next notification. (Armed for one
/// notification at a time, it cost an <c>epoll_ctl</c> a request.)
/// <see cref="ReadAsync(Memory{byte}, CancellationToken)"/> completes on the loop's thread,
/// and what awaits it continues there (reading and queueing the request, as it did on .NET's
/// socket event thread). One reader at a time, as the connection's one serving task; the token
/// is not watched: <see cref="Detach"/> (the connection closing) ends a pending wait.
/// </remarks>
internal sealed class FrontConnectionInput : ReadOnlyStream, IReadinessTarget, IValueTaskSource<long>
{
    private readonly Socket _socket;
    private readonly ReadinessLoop _loop;
    private readonly ulong _id;
    private readonly ReceiveBuffer _buffer;

    private readonly Lock _lock = new();

    // Under _lock: the loop's notifications so far, whether a read waits for the next one, and
    // whether the loop is told to keep quiet (a blocking read of a body).
    private long _notified;
    private bool _waiting;
    private bool _paused;
    private volatile bool _detached;

    // The reader's: _notified as it was before the receive being tried, and before the last
    // receive that left the socket empty. Until a notification comes after that one, a receive
    // would find nothing, so none is tried: between requests a read waits without a system call.
    private long _tryingAt;
    private long _emptyAt = -1;

    // When a receive last returned (a Stopwatch timestamp): a notification of a poll that began
    // later is of bytes no receive has taken, so its stamp is theirs (OnReadable).
    private long _lastReceived;

    private long _announced;

    // The reader's: descriptors received and not yet attached (AttachSlots).
    private SafeFileHandle[]? _passed;
    private ManualResetValueTaskSourceCore<long> _readable;

    public FrontConnectionInput(Socket socket, ReadinessLoop loop, int bufferSize = 16 * 1024)
    {
        _socket = socket;
        _loop = loop;
        _buffer = new ReceiveBuffer(bufferSize);
        _id = loop.Add(socket.SafeHandle, this);
    }

    /// <summary>Nothing received is left unread: the next read waits for the readiness loop.</summary>
    public bool IsEmpty => _buffer.IsEmpty;

    /// <summary>
    /// A Stopwatch timestamp by which the first bytes of the last receive had arrived: the
    /// readiness loop's stamp (<see cref="IReadinessTarget.OnReadable"/>) when the receive waited
    /// for its notification, else the time the receive returned. 0 before any receive.
    /// </summary>
    public long Announced => Volatile.Read(ref _announced);

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <summary>Buffered bytes first; else waits in <c>recv</c> (a WSGI thread reading the body, the GIL released).</summary>
    public override int Read(Span<byte> destination)
    {
        if (_buffer.TryRead(destination, out int read))
        {
            return read;
        }
        // The loop need not wake for what this thread reads itself (a body coming in pieces).
        Pause();
        int received;
        SafeFileHandle[]? passed;
        if (destination.Length >= _buffer.Capacity)
        {
            received = SocketReceive.Receive(_socket.SafeHandle, destination, out passed);
        }
        else
        {
            received = _buffer.Received(SocketReceive.Receive(_socket.SafeHandle, _buffer.Space.Span, out passed), destination);
        }
        Keep(passed);
        Volatile.Write(ref _lastReceived, System.Diagnostics.Stopwatch.GetTimestamp());
        return received;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (_buffer.TryRead(destination.Span, out int read))
        {
            return new ValueTask<int>(read);
        }
        return ReceiveAsync(destination);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReceiveAsync(Memory<byte> destination)
    {
        while (true)
        {
            long announced = await NotifiedAsync().ConfigureAwait(false);
            ObjectDisposedException.ThrowIf(_detached, this);
            Memory<byte> space = _buffer.Space;
            int received = SocketReceive.TryReceive(_socket.SafeHandle, space.Span, out SafeFileHandle[]? passed);
            Keep(passed);
            // A receive that did not fill the buffer took all there was (a stream socket); one
            // that found the end may be asked again, and finds it again.
            if (received == SocketReceive.WouldBlock || (received > 0 && received < space.Length))
            {
                _emptyAt = _tryingAt;
            }
            if (received != SocketReceive.WouldBlock)
            {
                long now = System.Diagnostics.Stopwatch.GetTimestamp();
                Volatile.Write(ref _lastReceived, now);
                Volatile.Write(ref _announced, announced != 0 ? announced : now);
                return _buffer.Received(received, destination.Span);
            }
        }
    }

    /// <summary>
    /// The connection's shared memory for request bodies, once the front has attached it
    /// (<see cref="AttachSlots"/>); null before.
    /// </summary>
    public BodySlots? Slots { get; private set; }

    /// <summary>
    /// Maps the shared memory passed with the <see cref="DaemonProtocol.SlotsAttached"/> marker
    /// just read: its descriptors came with the marker's first byte, so they are here.
    /// </summary>
    /// <exception cref="InvalidDataException">No descriptors came, the connection has its slots already, or they are not what the front makes.</exception>
    public BodySlots AttachSlots()
    {
        SafeFileHandle[] passed = _passed ?? throw new InvalidDataException("shared memory announced on the connection, and none passed");
        _passed = null;
        if (Slots != null)
        {
            Close(passed);
            throw new InvalidDataException("shared memory passed twice on one connection");
        }
        return Slots = BodySlots.Map(passed);
    }

    /// <summary>Descriptors that came with received bytes: kept for <see cref="AttachSlots"/>; any that come after them are closed.</summary>
    private void Keep(SafeFileHandle[]? passed)
    {
        if (passed == null)
        {
            return;
        }
        if (_passed != null || Slots != null)
        {
            Close(passed);
            return;
        }
        _passed = passed;
    }

    private static void Close(SafeFileHandle[] handles)
    {
        foreach (SafeFileHandle handle in handles)
        {
            handle.Dispose();
        }
    }

    /// <summary>
    /// Completes when a receive may find something: at once when the loop has told of an arrival
    /// since the socket was last found empty (0), else with the stamp of the loop's next notification.
    /// </summary>
    private ValueTask<long> NotifiedAsync()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_detached, this);
            if (_paused)
            {
                // The loop heard nothing while paused, and tells of bytes already there (or the
                // end) as it resumes: as good as a receive that found the socket empty now.
                _loop.Resume(_socket.SafeHandle, _id);
                _paused = false;
                _emptyAt = _notified;
            }
            if (_notified != _emptyAt)
            {
                _tryingAt = _notified;
                return new ValueTask<long>(0);
            }
            _readable.Reset();
            _waiting = true;
        }
        return new ValueTask<long>(this, _readable.Version);
    }

    private void Pause()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_detached, this);
            if (!_paused)
            {
                _loop.Pause(_socket.SafeHandle, _id);
                _paused = true;
            }
        }
    }

    void IReadinessTarget.OnReadable(long polledFrom, long announced)
    {
        bool theirs;
        lock (_lock)
        {
            _notified++;
            if (!_waiting)
            {
                return; // being read, or detached
            }
            _waiting = false;
            _tryingAt = _notified;
            // Else a receive may have taken what was reported, and what the next one gets came
            // later (a read that found bytes, then waited, while this was on its way).
            theirs = Volatile.Read(ref _lastReceived) < polledFrom;
        }
        _readable.SetResult(theirs ? announced : 0);
    }

    /// <summary>
    /// Takes the socket out of the readiness loop; call it before the socket closes. A pending
    /// wait ends with an <see cref="ObjectDisposedException"/> (the connection was closed as idle).
    /// </summary>
    public void Detach()
    {
        bool waiting;
        lock (_lock)
        {
            if (_detached)
            {
                return;
            }
            _detached = true;
            _loop.Remove(_socket.SafeHandle, _id);
            waiting = _waiting;
            _waiting = false;
        }
        if (waiting)
        {
            _readable.SetException(new ObjectDisposedException(nameof(FrontConnectionInput), "the connection was closed while waiting for a request"));
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Detach();
            if (_passed != null)
            {
                Close(_passed);
            }
            Slots?.Dispose();
        }
        base.Dispose(disposing);
    }

    ValueTaskSourceStatus IValueTaskSource<long>.GetStatus(short token) => _readable.GetStatus(token);

    void IValueTaskSource<long>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _readable.OnCompleted(continuation, state, token, flags);

    long IValueTaskSource<long>.GetResult(short token) => _readable.GetResult(token);
}
