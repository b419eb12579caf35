using System.Buffers.Binary;
using System.Net.Sockets;
using Microsoft.Win32.SafeHandles;
using WsgiHost.Daemon;
using WsgiHost.Python.Wsgi;
using WsgiHost.Tests.Interop;

namespace WsgiHost.Tests.Daemon;

/// <summary>
/// A daemon worker sending wsgi.file_wrapper's file to the front (sendfile): what the front
/// reads off the connection, frame by frame.
/// </summary>
public sealed class WorkerExchangeSendFileTests : IDisposable
{
    private readonly UnixSocketPair _pair = new();
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"wsgihost-sendfile-{Guid.NewGuid():N}.bin");

    public void Dispose()
    {
        _pair.Dispose();
        File.Delete(_path);
    }

    private static byte[] Pattern(int size) => [.. Enumerable.Range(0, size).Select(i => (byte)(i * 7))];

    [Fact]
    public async Task AFileLargerThanAFrameArrivesInFramesOfAtMostOneMiBThenTheEnd()
    {
        byte[] content = Pattern(2 * DaemonProtocol.MaxChunk + 12345);
        File.WriteAllBytes(_path, content);

        var (head, chunks, end) = await ExchangeAsync(offset: 1000, count: content.Length - 1000);

        // Sent by the kernel in frames of 1 MiB, but for the tail, read first and sent as a frame of its own.
        int viaKernel = content.Length - 1000 - WorkerExchange.CopiedTailBytes;
        Assert.Equal(200, head.Status);
        int[] frames = [.. Enumerable.Repeat(DaemonProtocol.MaxChunk, viaKernel / DaemonProtocol.MaxChunk), viaKernel % DaemonProtocol.MaxChunk, WorkerExchange.CopiedTailBytes];
        Assert.Equal(frames.Where(n => n > 0), chunks.Select(c => c.Length));
        Assert.True(chunks.Count >= 3, "more than one frame of the kernel's");
        Assert.Equal(content[1000..], chunks.SelectMany(c => c).ToArray());
        Assert.Equal("end", end);
    }

    [Fact]
    public async Task AFileThatShrankFillsItsFrameWithZerosAndAbortsTheResponseShortOfItsLength()
    {
        // The size was taken before the file lost its end: 250,000 bytes to send, 100,000 there.
        byte[] content = Pattern(100_000);
        File.WriteAllBytes(_path, content);

        var (_, chunks, end) = await ExchangeAsync(offset: 0, count: 250_000);

        // The kernel's frame was announced whole and is filled out with zeros; the tail, which
        // would complete the promised length, never goes.
        byte[] chunk = Assert.Single(chunks);
        Assert.Equal(250_000 - WorkerExchange.CopiedTailBytes, chunk.Length);
        Assert.Equal(content, chunk[..100_000]);
        Assert.All(chunk[100_000..], b => Assert.Equal(0, b));
        Assert.Equal("abort: the file sent by wsgi.file_wrapper shrank while it was sent (it ended at byte 100000, 150000 bytes short)", end);
    }

    [Fact]
    public async Task CopiedWithoutSendfileAFileThatShrankAbortsTheResponseWhereItEnded()
    {
        byte[] content = Pattern(100_000);
        File.WriteAllBytes(_path, content);

        // No socket to send from: the file goes through the write buffer, in pieces of 64 KiB.
        var (_, chunks, end) = await ExchangeAsync(offset: 0, count: 250_000, sendfile: false);

        Assert.Equal(content, chunks.SelectMany(c => c).ToArray());
        Assert.Equal("abort: the file sent by wsgi.file_wrapper shrank while it was sent (it ended at byte 100000, 150000 bytes short)", end);
    }

    /// <summary>
    /// Runs StartResponse, SendFile and Complete on the worker's end, as the gateway does (a
    /// file that ended early aborts the response), while the front's end reads it all.
    /// </summary>
    private async Task<((int Status, string Reason, List<KeyValuePair<string, string>> Headers) Head, List<byte[]> Chunks, string End)> ExchangeAsync(long offset, long count, bool sendfile = true)
    {
        using var output = new BufferedStream(new NetworkStream(_pair.Accepted, ownsSocket: false), 16 * 1024);
        var exchange = new WorkerExchange(Stream.Null, output, [], isHead: false, "test", wholeBody: [], socket: sendfile ? _pair.Accepted : null);
        Task<long> sending = Task.Run(() =>
        {
            using SafeFileHandle file = File.OpenHandle(_path);
            exchange.StartResponse(200, "OK", [new("Content-Type", "application/octet-stream")], count);
            long sent = exchange.SendFile(file, offset, count);
            if (sent >= 0 && sent < count)
            {
                exchange.Abort(WsgiGateway.FileShrankReason(offset + sent, offset + count));
            }
            exchange.Complete();
            return sent;
        });

        using var front = new NetworkStream(_pair.Connecting, ownsSocket: false);
        var head = DaemonProtocol.ParseResponseHead((await DaemonProtocol.ReadHeadAsync(front, new byte[4096], CancellationToken.None)).Span);
        var chunks = new List<byte[]>();
        byte[] header = new byte[4];
        while (true)
        {
            await front.ReadExactlyAsync(header);
            uint n = BinaryPrimitives.ReadUInt32LittleEndian(header);
            if (n == DaemonProtocol.End)
            {
                Assert.Equal(count, await sending);
                return (head, chunks, "end");
            }
            if (n == DaemonProtocol.Abort)
            {
                await front.ReadExactlyAsync(header);
                byte[] message = new byte[BinaryPrimitives.ReadUInt32LittleEndian(header)];
                await front.ReadExactlyAsync(message);
                Assert.InRange(await sending, 0, count - 1);
                return (head, chunks, "abort: " + System.Text.Encoding.Latin1.GetString(message));
            }
            byte[] chunk = new byte[n];
            await front.ReadExactlyAsync(chunk);
            chunks.Add(chunk);
        }
    }
}
