using System.Net.Sockets;
using WsgiHost.Daemon;
using WsgiHost.Python.Interop;
using WsgiHost.Python.Runtime;
using WsgiHost.Tests.Interop;

namespace WsgiHost.Tests.Daemon;

/// <summary>
/// A worker's reading end of a connection from the front, over a real Unix socket pair and a
/// real readiness loop: a read waits for the front's bytes without a thread, bytes come out
/// whole and in order whatever the mix of waiting and blocking reads, the front's close and
/// reset read as they did through NetworkStream, and closing the connection ends a wait.
/// </summary>
public sealed class FrontConnectionInputTests : IDisposable
{
    private readonly UnixSocketPair _pair = new();
    private readonly ReadinessLoop _loop = new("test-events", new NullLog());
    private readonly Socket _front;
    private readonly Socket _worker;
    private readonly FrontConnectionInput _input;

    public FrontConnectionInputTests()
    {
        _front = _pair.Connecting;
        _worker = _pair.Accepted;
        _input = new FrontConnectionInput(_worker, _loop);
    }

    public void Dispose()
    {
        _input.Dispose();
        _pair.Dispose();
        _loop.Dispose();
    }

    [Fact]
    public async Task AReadWaitsForTheFrontAndTheRestOfWhatCameIsReadFromTheBuffer()
    {
        byte[] head = new byte[4];
        Task waiting = _input.ReadExactlyAsync(head).AsTask();
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted); // nothing was sent: it can only be waiting

        _front.Send([1, 2, 3, 4, 5, 6, 7]);
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, head);
        // The other three came with the same receive: a blocking read returns them at once.
        byte[] rest = new byte[8];
        Assert.Equal(3, _input.Read(rest));
        Assert.Equal(new byte[] { 5, 6, 7 }, rest[..3]);
    }

    [Fact]
    public async Task AReadThatBeganEmptyCarriesTheLoopsStampOfTheBytesItWaitedFor()
    {
        // The worker counts a request as arrived at this stamp (its script check is made as of
        // then): it must come after the front sent the bytes, or a change made just before the
        // request could be missed.
        Assert.True(_input.IsEmpty);
        byte[] head = new byte[2];
        Task waiting = _input.ReadExactlyAsync(head).AsTask();
        await Task.Delay(50);
        long sent = System.Diagnostics.Stopwatch.GetTimestamp();
        _front.Send([1, 2, 3]);
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        long read = System.Diagnostics.Stopwatch.GetTimestamp();
        Assert.InRange(_input.Announced, sent, read);
        // The third byte is buffered: a read of it does not wait, so it is not announced.
        Assert.False(_input.IsEmpty);
    }

    [Fact]
    public async Task ANotificationOfBytesAlreadyReadDoesNotStampTheBytesThatCameAfter()
    {
        // The loop reports the socket from a poll that began before the last receive, and that
        // receive took what it reported; meanwhile new bytes came, which the loop (busy) has not
        // reported yet. The read that this late notification wakes gets the new bytes: their
        // stamp must be after they were sent, not the notification's.
        byte[] one = new byte[1];
        Task<int> first = _input.ReadAsync(one).AsTask();
        long polled = System.Diagnostics.Stopwatch.GetTimestamp();
        _front.Send([1]);
        Assert.Equal(1, await first.WaitAsync(TimeSpan.FromSeconds(10)));
        long received = System.Diagnostics.Stopwatch.GetTimestamp();
        Task<int> waiting = _input.ReadAsync(one).AsTask();

        using var busy = new UnixSocketPair();
        var blocker = new BlockingTarget();
        ulong blockerId = _loop.Add(busy.Accepted.SafeHandle, blocker);
        busy.Connecting.Send([0]);
        Assert.True(blocker.Entered.Wait(TimeSpan.FromSeconds(10)));
        try
        {
            long sent = System.Diagnostics.Stopwatch.GetTimestamp();
            _front.Send([2]);
            ((IReadinessTarget)_input).OnReadable(polledFrom: polled, announced: received);
            Assert.Equal(1, await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Equal(2, one[0]);
            Assert.True(_input.Announced >= sent, "the bytes were stamped before they were sent");
        }
        finally
        {
            blocker.Gate.Set();
            _loop.Remove(busy.Accepted.SafeHandle, blockerId);
        }
    }

    /// <summary>Holds the loop's thread in its callback until the gate opens.</summary>
    private sealed class BlockingTarget : IReadinessTarget
    {
        public ManualResetEventSlim Entered { get; } = new();

        public ManualResetEventSlim Gate { get; } = new();

        public void OnReadable(long polledFrom, long announced)
        {
            Entered.Set();
            Gate.Wait(TimeSpan.FromSeconds(10));
        }
    }

    [Fact]
    public async Task WaitingAndBlockingReadsOfEverySizeGetEveryByteInOrder()
    {
        byte[] sent = new byte[3 * 1024 * 1024 + 11];
        new Random(5).NextBytes(sent);
        Task sender = Task.Run(async () =>
        {
            var random = new Random(6);
            for (int at = 0; at < sent.Length;)
            {
                int n = Math.Min(sent.Length - at, random.Next(1, 70_000));
                _front.Send(sent, at, n, SocketFlags.None);
                at += n;
                if (random.Next(4) == 0)
                {
                    await Task.Delay(1); // the worker sometimes finds nothing and waits
                }
            }
            _front.Shutdown(SocketShutdown.Send);
        });

        var received = new MemoryStream();
        var sizes = new Random(8);
        byte[] buffer = new byte[64 * 1024];
        for (int i = 0; ; i++)
        {
            // Sizes below and above the input's own 16 KiB buffer (those go straight to the destination).
            int size = sizes.Next(1, buffer.Length);
            int n = i % 2 == 0
                ? await _input.ReadAsync(buffer.AsMemory(0, size)).AsTask().WaitAsync(TimeSpan.FromSeconds(30))
                : await Task.Run(() => _input.Read(buffer, 0, size)).WaitAsync(TimeSpan.FromSeconds(30));
            if (n == 0)
            {
                break;
            }
            received.Write(buffer, 0, n);
        }
        await sender;
        Assert.Equal(sent, received.ToArray());
    }

    [Fact]
    public async Task TheFrontClosingTheConnectionEndsAWaitingReadWithTheEndOfTheStream()
    {
        ValueTask<int> waiting = _input.ReadAsync(new byte[16]);
        await Task.Delay(50);
        _front.Close();
        Assert.Equal(0, await waiting.AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task AFrontThatResetsTheConnectionReadsAsAResetNotAsAMalformedFrame()
    {
        // A Unix socket closed with bytes it never read resets its peer (the worker's
        // DaemonWorker tells that apart from garbage by the inner SocketException).
        _worker.Send([42]);
        ValueTask<int> waiting = _input.ReadAsync(new byte[16]);
        _front.Close();
        var failure = await Assert.ThrowsAsync<IOException>(() => waiting.AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(SocketError.ConnectionReset, Assert.IsType<SocketException>(failure.InnerException).SocketErrorCode);
    }

    [Fact]
    public async Task DetachingTheInputEndsAWaitingReadAndAnyReadAfterIt()
    {
        ValueTask<int> waiting = _input.ReadAsync(new byte[16]);
        await Task.Delay(50);
        _input.Detach();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting.AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        // What the front sends now wakes nothing and is not lost to a later reader of the socket.
        _front.Send([9]);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => _input.ReadAsync(new byte[16]).AsTask());
        byte[] one = new byte[1];
        Assert.Equal(1, _worker.Receive(one));
        Assert.Equal(9, one[0]);
    }

    [Fact]
    public async Task WaitingLeavesTheSocketBlockingSoTheWsgiThreadsReadsAreSingleCalls()
    {
        // .NET makes a socket non-blocking (and registers it with its engine) at its first
        // asynchronous operation; the input never starts one.
        Task<int> waiting = _input.ReadAsync(new byte[4]).AsTask();
        await Task.Delay(50);
        _front.Send([1, 2, 3, 4]);
        Assert.Equal(4, await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        string flags = File.ReadLines($"/proc/self/fdinfo/{_worker.SafeHandle.DangerousGetHandle()}").First(l => l.StartsWith("flags:", StringComparison.Ordinal));
        int octal = Convert.ToInt32(flags["flags:".Length..].Trim(), 8);
        const int ONonBlock = 0x800;
        Assert.Equal(0, octal & ONonBlock);
    }
}
