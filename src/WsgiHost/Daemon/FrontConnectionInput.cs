using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;
using WsgiHost.Python.Interop;

namespace WsgiHost.Daemon;

/// <summary>
/// A worker's reading end of a connection from the front, buffered (a request head and a small
/// body with its end marker usually arrive in one read). Between requests it waits for the
/// next one on the worker's <see cref="ReadinessLoop"/>, which hears of readability only; the
/// WSGI thread reads a request's body with blocking calls. It never starts an asynchronous
/// operation of .NET's on the socket, which would register the socket with .NET's engine.
/// </summary>
/// <remarks>
/// <see cref="ReadAsync(Memory{byte}, CancellationToken)"/> completes on the loop's thread,
/// and what awaits it continues there (reading and queueing the request, as it did on .NET's
/// socket event thread). One reader at a time, as the connection's one serving task; the token
/// is not watched: <see cref="Detach"/> (the connection closing) ends a pending wait.
/// </remarks>
internal sealed class FrontConnectionInput : Stream, IReadinessTarget, IValueTaskSource
{
    private readonly Socket _socket;
    private readonly ReadinessLoop _loop;
    private readonly ulong _id;
    private readonly ReceiveBuffer _buffer;

    private readonly Lock _lock = new();
    private bool _armedBefore;
    private bool _waiting;
    private volatile bool _detached;
    private long _announced;
    private ManualResetValueTaskSourceCore<bool> _readable;

    public FrontConnectionInput(Socket socket, ReadinessLoop loop, int bufferSize = 16 * 1024)
    {
        _socket = socket;
        _loop = loop;
        _buffer = new ReceiveBuffer(bufferSize);
        _id = loop.Add(this);
    }

    /// <summary>Nothing received is left unread: the next read waits for the readiness loop.</summary>
    public bool IsEmpty => _buffer.IsEmpty;

    /// <summary>
    /// The readiness loop's stamp (<see cref="IReadinessTarget.OnReadable"/>) of the notification
    /// that ended the last wait: what a read after it received was in the socket by then, if the
    /// read began empty (<see cref="IsEmpty"/>); a Stopwatch timestamp, 0 before any wait.
    /// </summary>
    public long Announced => Volatile.Read(ref _announced);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <summary>Buffered bytes first; else waits in <c>recv</c> (a WSGI thread reading the body, the GIL released).</summary>
    public override int Read(Span<byte> destination)
    {
        if (destination.IsEmpty)
        {
            return 0;
        }
        if (!_buffer.IsEmpty)
        {
            return _buffer.Take(destination);
        }
        ObjectDisposedException.ThrowIf(_detached, this);
        if (destination.Length >= _buffer.Capacity)
        {
            return SocketReceive.Receive(_socket.SafeHandle, destination);
        }
        return _buffer.Received(SocketReceive.Receive(_socket.SafeHandle, _buffer.Space.Span), destination);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (destination.IsEmpty)
        {
            return new ValueTask<int>(0);
        }
        if (!_buffer.IsEmpty)
        {
            return new ValueTask<int>(_buffer.Take(destination.Span));
        }
        return ReceiveAsync(destination);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReceiveAsync(Memory<byte> destination)
    {
        while (true)
        {
            // Armed before trying: the next request comes a round trip through the front and
            // its client after the last response, so a receive tried first would find nothing
            // nearly every time (a system call a request for nothing). Arming a socket that is
            // readable already notifies at once.
            await WaitReadableAsync().ConfigureAwait(false);
            ObjectDisposedException.ThrowIf(_detached, this);
            int received = SocketReceive.TryReceive(_socket.SafeHandle, _buffer.Space.Span);
            if (received != SocketReceive.WouldBlock)
            {
                return _buffer.Received(received, destination.Span);
            }
        }
    }

    private ValueTask WaitReadableAsync()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_detached, this);
            _readable.Reset();
            _loop.Arm(_socket.SafeHandle, _id, first: !_armedBefore);
            _armedBefore = true;
            _waiting = true;
        }
        return new ValueTask(this, _readable.Version);
    }

    void IReadinessTarget.OnReadable(long announced)
    {
        lock (_lock)
        {
            if (!_waiting)
            {
                return; // detached meanwhile: that ended the wait
            }
            _waiting = false;
            Volatile.Write(ref _announced, announced);
        }
        _readable.SetResult(true);
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
            _loop.Remove(_socket.SafeHandle, _id, _armedBefore);
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
        }
        base.Dispose(disposing);
    }

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _readable.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _readable.OnCompleted(continuation, state, token, flags);

    void IValueTaskSource.GetResult(short token) => _readable.GetResult(token);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
