using WsgiHost.Python.Runtime;

namespace WsgiHost.Tests.Runtime;

public sealed class ThreadParkerTests
{
    public static TheoryData<bool> Kinds() => OperatingSystem.IsLinux() ? new() { true, false } : new() { false };

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task AnUnparkThatCameFirstLetsTheParkReturnAtOnce(bool futex)
    {
        var parker = new ThreadParker(futex);
        parker.Unpark();
        // Times out (TimeoutException) if Park waits for the unpark that already came.
        await Task.Run(parker.Park).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task ParkBlocksUntilAnotherThreadUnparks(bool futex)
    {
        var parker = new ThreadParker(futex);
        var parking = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var park = Task.Factory.StartNew(() =>
        {
            parking.SetResult();
            parker.Park();
        }, TaskCreationOptions.LongRunning);
        await parking.Task;
        await Task.Delay(300);
        Assert.False(park.IsCompleted, "Park returned without an unpark");
        parker.Unpark();
        // Times out (TimeoutException) if the unpark does not wake the parked thread.
        await park.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task EveryParkIsMatchedByOneUnparkAndNoneIsLost(bool futex)
    {
        // Two threads hand a turn back and forth, as a WSGI thread and the thread completing its
        // reads do; a wake lost between a park's check and its sleep would hang a round.
        const int rounds = 20_000;
        var ping = new ThreadParker(futex);
        var pong = new ThreadParker(futex);
        int seen = 0;
        var other = Task.Factory.StartNew(() =>
        {
            for (int i = 0; i < rounds; i++)
            {
                ping.Park();
                seen++;
                pong.Unpark();
            }
        }, TaskCreationOptions.LongRunning);
        var self = Task.Factory.StartNew(() =>
        {
            for (int i = 0; i < rounds; i++)
            {
                ping.Unpark();
                pong.Park();
            }
        }, TaskCreationOptions.LongRunning);
        var finished = Task.WhenAll(other, self);
        Assert.Same(finished, await Task.WhenAny(finished, Task.Delay(TimeSpan.FromSeconds(60))));
        Assert.Equal(rounds, seen);
    }
}
