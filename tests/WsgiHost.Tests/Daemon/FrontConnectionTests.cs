using System.Net.Sockets;
using WsgiHost.Daemon;

namespace WsgiHost.Tests.Daemon;

/// <summary>
/// A worker's connection state: a request read just as the worker stops either runs here or is
/// declined with NotTaken (and then runs elsewhere), never both.
/// </summary>
public sealed class FrontConnectionTests
{
    private static FrontConnection Connection() => new(new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified));

    [Fact]
    public void ARequestTakenFirstKeepsTheConnectionFromBeingClosedAsIdle()
    {
        FrontConnection connection = Connection();
        Assert.True(connection.TryTake());
        Assert.False(connection.TryClose());
        connection.Release();
        Assert.True(connection.TryClose());
    }

    [Fact]
    public void AConnectionClosedAsIdleFirstRunsNothingMore()
    {
        FrontConnection connection = Connection();
        Assert.True(connection.TryClose());
        Assert.False(connection.TryTake());
        Assert.False(connection.TryClose());
    }

    [Fact]
    public void ABrokenConnectionIsNeverDeclinedAsIdle()
    {
        FrontConnection connection = Connection();
        Assert.True(connection.TryTake());
        connection.Break();
        Assert.False(connection.TryClose());
        Assert.False(connection.TryTake());
    }

    [Fact]
    public async Task UnderRacesExactlyOneSideWinsEachTime()
    {
        for (int i = 0; i < 2000; i++)
        {
            FrontConnection connection = Connection();
            using var start = new Barrier(2);
            Task<bool> take = Task.Run(() => { start.SignalAndWait(); return connection.TryTake(); });
            Task<bool> close = Task.Run(() => { start.SignalAndWait(); return connection.TryClose(); });
            bool[] won = await Task.WhenAll(take, close);
            Assert.True(won[0] ^ won[1], $"round {i}: take {won[0]}, close {won[1]}");
        }
    }
}
