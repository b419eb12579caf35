using WsgiHost.Server;

namespace WsgiHost.Tests.Server;

/// <summary>
/// When a process gives memory back: once after each quiet spell that follows requests, never
/// while a request runs, and not at all before the first request.
/// </summary>
public sealed class IdleMemoryTrimTests
{
    private long _marker;
    private bool _busy;
    private int _trims;

    private IdleMemoryTrim Trim() => new(() => (_marker, _busy), () => _trims++, Timeout.InfiniteTimeSpan);

    [Fact]
    public void AProcessThatServedNothingDoesNotTrim()
    {
        using IdleMemoryTrim trim = Trim();
        for (int i = 0; i < 3; i++)
        {
            Assert.False(trim.Tick());
        }
        Assert.Equal(0, _trims);
    }

    [Fact]
    public void AQuietIntervalAfterRequestsTrimsOnceUntilRequestsComeAgain()
    {
        using IdleMemoryTrim trim = Trim();
        _marker = 5; // requests since the start
        Assert.False(trim.Tick());
        Assert.True(trim.Tick());
        Assert.False(trim.Tick());
        Assert.False(trim.Tick());
        Assert.Equal(1, _trims);

        _marker = 6;
        Assert.False(trim.Tick());
        Assert.True(trim.Tick());
        Assert.Equal(2, _trims);
    }

    [Fact]
    public void ARequestStillRunningKeepsItFromTrimming()
    {
        using IdleMemoryTrim trim = Trim();
        _marker = 1;
        _busy = true;
        for (int i = 0; i < 3; i++)
        {
            Assert.False(trim.Tick());
        }
        _busy = false;
        Assert.True(trim.Tick());
        Assert.Equal(1, _trims);
    }
}
