using WsgiHost.Daemon;

namespace WsgiHost.Tests.Daemon;

/// <summary>How a worker hands the app the request body: sent whole with the head, or as chunks it reads from the front as the app asks.</summary>
public sealed class WorkerExchangeBodyTests
{
    [Fact]
    public void AWholeBodyIsReadFromMemoryAndTheConnectionIsLeftAtTheNextRequest()
    {
        // What follows on the connection belongs to the next request: never read as body.
        var connection = new MemoryStream("next request"u8.ToArray());
        var exchange = new WorkerExchange(connection, Stream.Null, [], isHead: false, "test", wholeBody: "hello"u8.ToArray());
        byte[] buffer = new byte[3];
        Assert.Equal(3, exchange.ReadBody(buffer));
        Assert.Equal("hel"u8.ToArray(), buffer);
        Assert.Equal(2, exchange.ReadBody(buffer));
        Assert.Equal("lo"u8.ToArray(), buffer[..2]);
        Assert.Equal(0, exchange.ReadBody(buffer));
        Assert.True(exchange.DrainBody());
        Assert.Equal(0, connection.Position);
    }

    [Fact]
    public void AStreamedBodyIsReadChunkByChunkUpToItsEndMarker()
    {
        var connection = new MemoryStream();
        DaemonProtocol.WriteChunk(connection, "ab"u8);
        DaemonProtocol.WriteChunk(connection, "cde"u8);
        DaemonProtocol.WriteMarker(connection, 0);
        connection.Write("next"u8);
        connection.Position = 0;
        var exchange = new WorkerExchange(connection, Stream.Null, [], isHead: false, "test");
        byte[] buffer = new byte[16];
        Assert.Equal(2, exchange.ReadBody(buffer));
        Assert.Equal(3, exchange.ReadBody(buffer.AsSpan(2)));
        Assert.Equal("abcde"u8.ToArray(), buffer[..5]);
        Assert.Equal(0, exchange.ReadBody(buffer));
        Assert.True(exchange.DrainBody());
        Assert.Equal(connection.Length - 4, connection.Position);
    }
}
