using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace WsgiHost.Daemon;

/// <summary>
/// The front's reading end of a connection to a daemon worker, buffered: the accept byte, the
/// response head and a small body usually arrive in one receive, and the reads after the first
/// take them from here. It never closes the socket (<see cref="DaemonConnection"/> does).
/// </summary>
/// <remarks>
/// In place of a BufferedStream over the connection's NetworkStream, which took its
/// asynchronous lock (a SemaphoreSlim, two monitor locks) for every read that reached the
/// socket and allocated a state machine for each one that waited: one a response (daemon
/// hello, perf of the front). Here a read that waits awaits the socket's own reusable
/// operation through a pooled state machine. Errors surface as a NetworkStream's do (an
/// <see cref="IOException"/> over the socket's error; cancellation as itself), which is what
/// the exchange tells a refused or reset connection by. One reader at a time: the exchange
/// that holds the connection.
/// </remarks>
internal sealed class DaemonConnectionInput(Socket socket, int bufferSize = 16 * 1024) : ReadOnlyStream
{
    private readonly ReceiveBuffer _buffer = new(bufferSize);

    public override ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (_buffer.TryRead(destination.Span, out int read))
        {
            return new ValueTask<int>(read);
        }
        return ReceiveAsync(destination, cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReceiveAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        try
        {
            // A read as large as the buffer (a body chunk into the response's pipe) skips it.
            if (destination.Length >= _buffer.Capacity)
            {
                return await socket.ReceiveAsync(destination, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
            int received = await socket.ReceiveAsync(_buffer.Space, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            return _buffer.Received(received, destination.Span);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            throw Failed(e);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> destination)
    {
        if (_buffer.TryRead(destination, out int read))
        {
            return read;
        }
        try
        {
            return destination.Length >= _buffer.Capacity
                ? socket.Receive(destination)
                : _buffer.Received(socket.Receive(_buffer.Space.Span), destination);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            throw Failed(e);
        }
    }

    private static IOException Failed(Exception e) => new($"Unable to read data from the daemon worker's connection: {e.Message}", e);
}
