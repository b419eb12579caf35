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
    public void ABrokenConnectionStaysDeclinedOnceDeclined()
    {
        // The decline closes the socket: a read that then fails must not take the close back.
        FrontConnection connection = Connection();
        Assert.True(connection.TryClose());
        connection.Break();
        Assert.True(connection.IsDeclined);
    }

    [Fact]
    public async Task ARequestReadAsTheStopDeclinesTheConnectionStillGetsNotTaken()
    {
        // The interleaving behind bench/soak.sh's rare GET that ended without a word (about once
        // in 100,000 requests while workers recycled): the stopping worker claims an idle
        // connection; before its NotTaken goes out, the serving task reads a request that came
        // meanwhile, loses it to the claim and ends the connection. The socket used to close
        // there, the NotTaken failed on it, and the front read the end of the stream after a
        // request the worker had consumed (no reset either), which it must answer 502.
        var (front, worker) = await PairAsync();
        using (front)
        {
            var connection = new FrontConnection(worker);
            byte[] request = [1, 2, 3, 4];
            front.Send(request);
            Assert.Equal(request.Length, worker.Receive(new byte[16])); // read by the serving task
            Assert.True(connection.TryClose()); // the stop claims the connection as idle
            Assert.False(connection.TryTake()); // the serving task loses the request it read
            connection.End(); // and is done with the connection
            connection.Decline(); // the stop's NotTaken, then the close
            Assert.Equal([DaemonProtocol.NotTaken], ReadToEnd(front));
        }
    }

    [Fact]
    public async Task AConnectionEndedBetweenRequestsIsDeclined()
    {
        var (front, worker) = await PairAsync();
        using (front)
        {
            var connection = new FrontConnection(worker);
            Assert.True(connection.TryTake());
            connection.Release();
            connection.End();
            Assert.Equal([DaemonProtocol.NotTaken], ReadToEnd(front));
            Assert.False(connection.TryClose()); // the stop finds it declined already
        }
    }

    [Fact]
    public async Task AConnectionEndedMidRequestOrBrokenClosesWithoutAWord()
    {
        foreach (bool broken in new[] { false, true })
        {
            var (front, worker) = await PairAsync();
            using (front)
            {
                var connection = new FrontConnection(worker);
                Assert.True(connection.TryTake());
                if (broken)
                {
                    connection.Break();
                }
                connection.End();
                Assert.Empty(ReadToEnd(front));
            }
        }
    }

    /// <summary>A connected pair of Unix stream sockets, as between the front and a worker.</summary>
    private static async Task<(Socket Front, Socket Worker)> PairAsync()
    {
        string path = Path.Combine(Path.GetTempPath(), $"wsgihost-fc-{Guid.NewGuid():N}.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        try
        {
            listener.Listen(1);
            var front = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await front.ConnectAsync(new UnixDomainSocketEndPoint(path));
            return (front, await listener.AcceptAsync());
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>What the front reads until the worker's end of the connection closes (a reset fails the test).</summary>
    private static byte[] ReadToEnd(Socket front)
    {
        front.ReceiveTimeout = 5000;
        var read = new MemoryStream();
        byte[] buffer = new byte[16];
        int n;
        while ((n = front.Receive(buffer)) > 0)
        {
            read.Write(buffer, 0, n);
        }
        return read.ToArray();
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
