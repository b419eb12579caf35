using WsgiHost.Daemon;

namespace WsgiHost.Tests.Daemon;

/// <summary>A daemon group's queue: places up to the capacity, the rest in arrival order, queue-timeout, clients that leave.</summary>
public sealed class RequestGateTests
{
    [Fact]
    public async Task RequestsBeyondTheCapacityWaitAndAreLetInOldestFirst()
    {
        using var gate = new RequestGate(2, Timeout.InfiniteTimeSpan);
        Assert.Equal(GateEntry.Entered, await gate.EnterAsync(CancellationToken.None));
        Assert.Equal(GateEntry.Entered, await gate.EnterAsync(CancellationToken.None));
        var order = new List<int>();
        Task first = gate.EnterAsync(CancellationToken.None).AsTask().ContinueWith(_ => order.Add(1), TaskContinuationOptions.ExecuteSynchronously);
        Task second = gate.EnterAsync(CancellationToken.None).AsTask().ContinueWith(_ => order.Add(2), TaskContinuationOptions.ExecuteSynchronously);
        Assert.Equal(2, gate.Waiting);
        Assert.False(first.IsCompleted);

        gate.Exit();
        await first;
        Assert.False(second.IsCompleted);
        gate.Exit();
        await second;
        Assert.Equal([1, 2], order);
        Assert.Equal(0, gate.Waiting);
    }

    [Fact]
    public async Task AWaitLongerThanQueueTimeoutEndsAndTakesNoPlace()
    {
        using var gate = new RequestGate(1, TimeSpan.FromMilliseconds(200));
        Assert.Equal(GateEntry.Entered, await gate.EnterAsync(CancellationToken.None));
        var started = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(GateEntry.QueueTimeout, await gate.EnterAsync(CancellationToken.None));
        Assert.True(started.ElapsedMilliseconds >= 150, $"ended after {started.ElapsedMilliseconds} ms");
        Assert.Equal(0, gate.Waiting);
        // The one place is still the first request's: freed, it serves the next at once.
        gate.Exit();
        Assert.Equal(GateEntry.Entered, await gate.EnterAsync(CancellationToken.None));
    }

    /// <summary>
    /// listen-backlog: the first waiters wait on; those behind them that do not move up within
    /// connect-timeout are turned away (503), as mod_wsgi's connects to a full daemon socket.
    /// </summary>
    [Fact]
    public async Task WaitersBeyondTheBacklogAreTurnedAwayAfterConnectTimeout()
    {
        using var gate = new RequestGate(1, Timeout.InfiniteTimeSpan, backlog: 2, connectTimeout: TimeSpan.FromMilliseconds(300));
        Assert.Equal(GateEntry.Entered, await gate.EnterAsync(CancellationToken.None));
        Task<GateEntry>[] waiting = [.. Enumerable.Range(0, 5).Select(_ => gate.EnterAsync(CancellationToken.None).AsTask())];
        var started = System.Diagnostics.Stopwatch.StartNew();
        await Task.WhenAll(waiting[2..]);
        Assert.True(started.ElapsedMilliseconds >= 200, $"ended after {started.ElapsedMilliseconds} ms");
        Assert.All(waiting[2..], w => Assert.Equal(GateEntry.NoRoom, w.Result));
        Assert.False(waiting[0].IsCompleted || waiting[1].IsCompleted);
        Assert.Equal(2, gate.Waiting);

        // The backlog's waiters still get their places, oldest first, however long they wait.
        await Task.Delay(400);
        gate.Exit();
        Assert.Equal(GateEntry.Entered, await waiting[0]);
        gate.Exit();
        Assert.Equal(GateEntry.Entered, await waiting[1]);
    }

    [Fact]
    public async Task AWaiterThatMovesUpIntoTheBacklogInTimeStays()
    {
        using var gate = new RequestGate(1, Timeout.InfiniteTimeSpan, backlog: 1, connectTimeout: TimeSpan.FromMilliseconds(400));
        Assert.Equal(GateEntry.Entered, await gate.EnterAsync(CancellationToken.None));
        Task<GateEntry> first = gate.EnterAsync(CancellationToken.None).AsTask();
        Task<GateEntry> second = gate.EnterAsync(CancellationToken.None).AsTask();
        gate.Exit();
        Assert.Equal(GateEntry.Entered, await first);
        await Task.Delay(700);
        Assert.False(second.IsCompleted);
        gate.Exit();
        Assert.Equal(GateEntry.Entered, await second);
    }

    [Fact]
    public async Task AClientThatLeavesWhileWaitingLeavesTheQueueAndTheNextGetsThePlace()
    {
        using var gate = new RequestGate(1, Timeout.InfiniteTimeSpan);
        Assert.Equal(GateEntry.Entered, await gate.EnterAsync(CancellationToken.None));
        using var gone = new CancellationTokenSource();
        Task<GateEntry> leaving = gate.EnterAsync(gone.Token).AsTask();
        Task<GateEntry> staying = gate.EnterAsync(CancellationToken.None).AsTask();
        gone.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaving);
        Assert.Equal(1, gate.Waiting);
        gate.Exit();
        Assert.Equal(GateEntry.Entered, await staying);
    }

    [Fact]
    public async Task UnderConcurrentLoadNoMoreThanTheCapacityIsEverIn()
    {
        using var gate = new RequestGate(3, Timeout.InfiniteTimeSpan);
        int inside = 0, most = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (int i = 0; i < 500; i++)
            {
                Assert.Equal(GateEntry.Entered, await gate.EnterAsync(CancellationToken.None));
                int now = Interlocked.Increment(ref inside);
                int seen;
                while (now > (seen = Volatile.Read(ref most)) && Interlocked.CompareExchange(ref most, now, seen) != seen)
                {
                }
                await Task.Yield();
                Interlocked.Decrement(ref inside);
                gate.Exit();
            }
        })));
        Assert.InRange(most, 1, 3);
        Assert.Equal(0, gate.Waiting);
    }
}
