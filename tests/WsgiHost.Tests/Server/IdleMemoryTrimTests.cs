using WsgiHost.Server;

namespace WsgiHost.Tests.Server;

/// <summary>
/// When a process gives memory back: once a burst of requests is over (a tick whose requests,
/// ended and running, are a tenth of the busiest tick's), once per burst, not before any
/// request, not when it has not grown; a trickle of requests (health checks) or a long request
/// does not change that.
/// </summary>
public sealed class IdleMemoryTrimTests
{
    private const long MiB = 1024 * 1024;

    private long _served;
    private long _running;
    private long _resident = 30 * MiB;
    private int _trims;

    private IdleMemoryTrim Trim() => new(() => (_served, _running), () => { _trims++; _resident -= MiB; }, () => _resident, Timeout.InfiniteTimeSpan);

    /// <summary>A tick in which <paramref name="requests"/> requests ended.</summary>
    private bool Tick(IdleMemoryTrim trim, long requests)
    {
        _served += requests;
        return trim.Tick();
    }

    [Fact]
    public void AProcessThatServedNothingDoesNotTrim()
    {
        using IdleMemoryTrim trim = Trim();
        _resident += 5 * MiB;
        for (int i = 0; i < 3; i++)
        {
            Assert.False(Tick(trim, 0));
        }
        Assert.Equal(0, _trims);
    }

    [Fact]
    public void AQuietTickAfterABurstTrimsOnceUntilTheNextBurst()
    {
        using IdleMemoryTrim trim = Trim();
        _resident += 5 * MiB;
        Assert.False(Tick(trim, 500));
        Assert.False(Tick(trim, 800));
        Assert.True(Tick(trim, 0));
        Assert.False(Tick(trim, 0));
        Assert.False(Tick(trim, 0));
        Assert.Equal(1, _trims);

        _resident += 3 * MiB;
        Assert.False(Tick(trim, 40));
        Assert.True(Tick(trim, 0));
        Assert.Equal(2, _trims);
    }

    [Fact]
    public void ATrickleAfterABurstStillEndsItAndDoesNotTrimAgain()
    {
        using IdleMemoryTrim trim = Trim();
        _resident += 5 * MiB;
        Assert.False(Tick(trim, 2000));
        Assert.True(Tick(trim, 3));   // a load balancer's health checks
        foreach (long requests in new long[] { 2, 0, 3, 1, 0, 2 })
        {
            Assert.False(Tick(trim, requests));
        }
        Assert.Equal(1, _trims);
    }

    [Fact]
    public void ManyRequestsStillRunningKeepItFromTrimming()
    {
        using IdleMemoryTrim trim = Trim();
        _resident += 5 * MiB;
        Assert.False(Tick(trim, 100));
        _running = 11; // slow uploads of the burst, ending few at a time
        for (int i = 0; i < 3; i++)
        {
            Assert.False(Tick(trim, 1));
        }
        _running = 0;
        Assert.True(Tick(trim, 0));
        Assert.Equal(1, _trims);
    }

    [Fact]
    public void ALongRequestStillRunningDoesNotKeepItFromTrimming()
    {
        using IdleMemoryTrim trim = Trim();
        _resident += 5 * MiB;
        Assert.False(Tick(trim, 400));
        _running = 2; // long polls
        Assert.True(Tick(trim, 0));
        Assert.Equal(1, _trims);
    }

    [Fact]
    public void AProcessThatHardlyGrewSkipsTheCollection()
    {
        using IdleMemoryTrim trim = Trim();
        _resident += MiB / 2;
        Assert.False(Tick(trim, 300));
        Assert.False(Tick(trim, 0));
        Assert.Equal(0, _trims);
    }
}
