using System.Net.Sockets;
using WsgiHost.Python.Interop;

namespace WsgiHost.Tests.Interop;

/// <summary>
/// A daemon worker's gathered send (a chunk header and a Python object's bytes in one sendmsg)
/// over a real Unix socket pair: whole and in order when the socket takes it a piece at a time,
/// and an error, not a hang, when the other end is gone.
/// </summary>
public sealed class GatherSendTests : IDisposable
{
    private readonly UnixSocketPair _pair = new();
    private readonly Socket _sender;
    private readonly Socket _receiver;

    public GatherSendTests()
    {
        _sender = _pair.Connecting;
        _receiver = _pair.Accepted;
    }

    public void Dispose() => _pair.Dispose();

    [Fact]
    public async Task AHeaderAndABodyFarLargerThanTheSocketBufferArriveWholeAndInOrder()
    {
        // Non-blocking, as .NET leaves a socket it has used asynchronously, and a small buffer:
        // the send goes out in many partial writes with waits for room between them.
        _sender.Blocking = false;
        _sender.SendBufferSize = 4096;
        byte[] header = [1, 2, 3, 4];
        byte[] body = new byte[3 * 1024 * 1024 + 17];
        new Random(7).NextBytes(body);

        var received = new MemoryStream();
        Task reader = Task.Run(async () =>
        {
            byte[] buffer = new byte[7000];
            int n;
            while ((n = await _receiver.ReceiveAsync(buffer)) > 0)
            {
                received.Write(buffer, 0, n);
                if (received.Length % 5 == 0)
                {
                    await Task.Delay(1); // now and then a reader slower than the sender
                }
            }
        });
        await Task.Run(() => GatherSend.Send(_sender.SafeHandle, header, body));
        _sender.Shutdown(SocketShutdown.Send);
        await reader.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(header.Length + body.Length, received.Length);
        Assert.True(received.ToArray().AsSpan().SequenceEqual([.. header, .. body]), "the bytes that arrived differ from the header and body sent");
    }

    [Fact]
    public void TrySendTakesWhatFitsWithoutWaitingAndNothingWhenTheSocketIsFull()
    {
        // Blocking, as a worker's accepted connection is: TrySend must still not wait.
        _sender.SendBufferSize = 4096;
        byte[] header = [9, 8, 7, 6];
        byte[] body = new byte[1024 * 1024];
        new Random(11).NextBytes(body);

        int first = GatherSend.TrySend(_sender.SafeHandle, header, body);
        Assert.InRange(first, header.Length + 1, header.Length + body.Length - 1); // a part: the buffer is far smaller
        Assert.Equal(0, GatherSend.TrySend(_sender.SafeHandle, [], body.AsSpan(first - header.Length)));
        var received = new MemoryStream();
        byte[] buffer = new byte[64 * 1024];
        while (received.Length < first)
        {
            received.Write(buffer, 0, _receiver.Receive(buffer));
        }
        Assert.Equal(first, received.Length);
        Assert.True(received.ToArray().AsSpan().SequenceEqual([.. header, .. body.AsSpan(0, first - header.Length)]),
            "the bytes that arrived differ from the header and the part of the body that was sent");
    }

    [Fact]
    public void TrySendToAConnectionWhoseOtherEndClosedIsAnIOException()
    {
        _receiver.Dispose();
        var e = Assert.Throws<IOException>(() => GatherSend.TrySend(_sender.SafeHandle, [0, 0, 1, 0], new byte[1024]));
        Assert.Contains("errno 32", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ASendToAConnectionWhoseOtherEndClosedIsAnIOException()
    {
        _receiver.Dispose();
        var e = Assert.Throws<IOException>(() => GatherSend.Send(_sender.SafeHandle, [0, 0, 1, 0], new byte[256 * 1024]));
        Assert.Contains("errno 32", e.Message, StringComparison.Ordinal); // EPIPE, raised as an error and not as SIGPIPE
    }

    [Theory]
    [InlineData(false)] // non-blocking, as on a worker's connection
    [InlineData(true)]  // blocking: Send still waits in poll, never in sendmsg
    public async Task ASendWaitingForRoomEndsWithAnIOExceptionWhenItsSocketIsClosed(bool blocking)
    {
        // A worker that stops closes its connections; a WSGI thread blocked in a send on one
        // (its front stopped reading) must come back, not wait for ever.
        _sender.Blocking = blocking;
        _sender.SendBufferSize = 4096;
        Task<Exception?> send = Task.Run<Exception?>(() => Record.Exception(() => GatherSend.Send(_sender.SafeHandle, [], new byte[8 * 1024 * 1024])));
        await Task.Delay(300);
        Assert.False(send.IsCompleted, "the send did not wait for room: the test's premise is gone");
        _sender.Dispose();
        Exception? failure = await send.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(failure is IOException or ObjectDisposedException, $"expected an IOException, got {failure?.GetType().Name ?? "success"}");
    }
}
