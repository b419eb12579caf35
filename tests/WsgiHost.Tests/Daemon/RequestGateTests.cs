using WsgiHost.Daemon;

namespace WsgiHost.Tests.Daemon;

/// <summary>A daemon group's queue: places up to the capacity, the rest in arrival order, queue-timeout, clients that leave.</summary>
public sealed class RequestGateTests
{
    [Fact]
    public async Task RequestsBeyondTheCapacityWaitAndAreLetInOldestFirst()
    {
        using var gate = new RequestGate(2, Timeout.InfiniteTimeSpan);
        Assert.True(await gate.EnterAsync(CancellationToken.None));
        Assert.True(await gate.EnterAsync(CancellationToken.None));
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
    public async Task AWaitLongerThanQueueTimeoutEndsFalseAndTakesNoPlace()
    {
        using var gate = new RequestGate(1, TimeSpan.FromMilliseconds(200));
        Assert.True(await gate.EnterAsync(CancellationToken.None));
        var started = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(await gate.EnterAsync(CancellationToken.None));
        Assert.True(started.ElapsedMilliseconds >= 150, $"ended after {started.ElapsedMilliseconds} ms");
        Assert.Equal(0, gate.Waiting);
        // The one place is still the first request's: freed, it serves the next at once.
        gate.Exit();
        Assert.True(await gate.EnterAsync(CancellationToken.None));
    }

    [Fact]
    public async Task AClientThatLeavesWhileWaitingLeavesTheQueueAndTheNextGetsThePlace()
    {
        using var gate = new RequestGate(1, Timeout.InfiniteTimeSpan);
        Assert.True(await gate.EnterAsync(CancellationToken.None));
        using var gone = new CancellationTokenSource();
        Task<bool> leaving = gate.EnterAsync(gone.Token).AsTask();
        Task<bool> staying = gate.EnterAsync(CancellationToken.None).AsTask();
        gone.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaving);
        Assert.Equal(1, gate.Waiting);
        gate.Exit();
        Assert.True(await staying);
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
                Assert.True(await gate.EnterAsync(CancellationToken.None));
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
