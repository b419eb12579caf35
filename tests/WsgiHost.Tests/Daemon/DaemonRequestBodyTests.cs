using System.IO.Pipelines;
using WsgiHost.Daemon;

namespace WsgiHost.Tests.Daemon;

/// <summary>
/// The front's body pump where a connection has no shared memory (not Linux, memfd refused, or
/// the slots could not be passed yet): the body goes through the socket as chunks, which the
/// worker's side of the protocol must read back byte for byte.
/// </summary>
public sealed class DaemonRequestBodyTests
{
    [Fact]
    public async Task WithoutSlotsTheBodyGoesThroughTheSocketInChunksOfAtMostABlock()
    {
        byte[] body = new byte[1024 * 1024 + 12_345];
        new Random(7).NextBytes(body);
        var pipe = new Pipe();
        var socket = new MemoryStream();
        Task pump = DaemonRequestBody.PumpAsync(pipe.Reader, socket, slots: null, TimeSpan.FromSeconds(60), CancellationToken.None);
        // In pieces that are not the chunk size, as a transport's receives arrive.
        for (int offset = 0; offset < body.Length; offset += 100_000)
        {
            await pipe.Writer.WriteAsync(body.AsMemory(offset, Math.Min(100_000, body.Length - offset)));
        }
        await pipe.Writer.CompleteAsync();
        await pump;

        // Every chunk fits a transport block with its length (the frame the front rents), and
        // the end-of-body marker closes them.
        socket.Position = 0;
        var lengths = new List<uint>();
        for (uint length; (length = DaemonProtocol.ReadRequestChunkHeader(socket)) != 0; socket.Position += length)
        {
            lengths.Add(length);
        }
        Assert.Equal(socket.Length, socket.Position);
        Assert.All(lengths, l => Assert.InRange(l, 1u, (uint)(WsgiHost.Server.LargeBlockMemoryPool.BlockSize - DaemonProtocol.ChunkHeaderBytes)));
        Assert.Equal(body.Length, lengths.Sum(l => (long)l));

        // The worker's side reads the client's bytes back exactly.
        socket.Position = 0;
        var exchange = new WorkerExchange(socket, Stream.Null, [], isHead: false, "test");
        byte[] received = new byte[body.Length + 1];
        int read = 0;
        for (int n; (n = exchange.ReadBody(received.AsSpan(read, Math.Min(65_536, received.Length - read)))) > 0;)
        {
            read += n;
        }
        Assert.Equal(body.Length, read);
        Assert.Equal(body, received[..read]);
    }
}
