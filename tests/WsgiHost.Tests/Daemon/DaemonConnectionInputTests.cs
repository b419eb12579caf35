using System.Net.Sockets;
using WsgiHost.Daemon;
using WsgiHost.Tests.Interop;

namespace WsgiHost.Tests.Daemon;

/// <summary>
/// The front's reading end of a connection to a worker, over a real Unix socket pair: what one
/// receive brought is read from its buffer in order, a large read goes straight into its
/// destination, and the worker's end, reset and a cancelled wait read as they did through a
/// NetworkStream (what the exchange tells a closed or refused connection by).
/// </summary>
public sealed class DaemonConnectionInputTests : IDisposable
{
    private readonly UnixSocketPair _pair = new();
    private readonly DaemonConnectionInput _input;

    public DaemonConnectionInputTests()
    {
        _input = new DaemonConnectionInput(_pair.Connecting, bufferSize: 64);
    }

    public void Dispose()
    {
        _input.Dispose();
        _pair.Dispose();
    }

    [Fact]
    public async Task AReadWaitsForTheWorkerAndTheRestOfWhatCameIsReadFromTheBuffer()
    {
        byte[] accept = new byte[1];
        ValueTask<int> waiting = _input.ReadAsync(accept);
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted); // nothing was sent: it can only be waiting

        _pair.Accepted.Send([9, 1, 2, 3, 4, 5]);
        Assert.Equal(1, await waiting.AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(9, accept[0]);
        byte[] head = new byte[3];
        // Already here: no wait, and in order.
        ValueTask<int> buffered = _input.ReadAsync(head);
        Assert.True(buffered.IsCompletedSuccessfully);
        Assert.Equal(3, await buffered);
        Assert.Equal(new byte[] { 1, 2, 3 }, head);
        byte[] rest = new byte[8];
        Assert.Equal(2, _input.Read(rest));
        Assert.Equal(new byte[] { 4, 5 }, rest[..2]);
    }

    [Fact]
    public async Task ALargeReadGetsEveryByteInOrderThroughAndAroundTheBuffer()
    {
        // Larger than the buffer (64 bytes here): read straight into the destination; the small
        // reads between go through the buffer. Whatever the mix, the bytes come out as sent.
        byte[] sent = new byte[200_000];
        new Random(7).NextBytes(sent);
        Task send = Task.Run(() => _pair.Accepted.Send(sent));
        byte[] got = new byte[sent.Length];
        int at = 0;
        for (int i = 0; at < got.Length; i++)
        {
            int want = Math.Min(i % 3 == 0 ? 5 : 10_000, got.Length - at);
            int n = await _input.ReadAsync(got.AsMemory(at, want));
            Assert.InRange(n, 1, want);
            at += n;
        }
        await send;
        Assert.Equal(sent, got);
    }

    [Fact]
    public async Task TheWorkersEndReadsAsZeroAndAResetAsAnIOException()
    {
        _pair.Accepted.Send([1]);
        _pair.Accepted.Shutdown(SocketShutdown.Send);
        byte[] one = new byte[4];
        Assert.Equal(1, await _input.ReadAsync(one));
        Assert.Equal(0, await _input.ReadAsync(one.AsMemory(1)));

        using var reset = new UnixSocketPair();
        using var input = new DaemonConnectionInput(reset.Connecting);
        // Closed with a request unread: the front reads a reset (not taken: it goes elsewhere).
        reset.Connecting.Send([1, 2, 3]);
        reset.Accepted.Close();
        var failure = await Assert.ThrowsAsync<IOException>(() => ReadAsync(input, one));
        Assert.IsType<SocketException>(failure.InnerException);
    }

    [Fact]
    public async Task ACancelledWaitEndsInOperationCanceledAndADisposedSocketInIOException()
    {
        using var cancel = new CancellationTokenSource();
        ValueTask<int> waiting = _input.ReadAsync(new byte[1], cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => Assert.Equal(0, await waiting));

        _pair.Connecting.Dispose();
        await Assert.ThrowsAsync<IOException>(() => ReadAsync(_input, new byte[1]));
    }

    private static async Task<int> ReadAsync(Stream input, byte[] into) => await input.ReadAsync(into.AsMemory());
}
