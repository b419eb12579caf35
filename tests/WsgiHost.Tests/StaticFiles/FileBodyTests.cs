using System.IO.Pipelines;
using WsgiHost.StaticFiles;

namespace WsgiHost.Tests.StaticFiles;

public sealed class FileBodyTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("wsgihost-filebody-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static async Task<byte[]> SendAsync(FileSnapshot file, long offset, long length)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        await FileBody.SendAsync(pipe.Writer, file.Handle, offset, length, CancellationToken.None);
        await pipe.Writer.CompleteAsync();
        using var body = new MemoryStream();
        await pipe.Reader.CopyToAsync(body);
        return body.ToArray();
    }

    [Theory]
    [InlineData(0, 700_001)] // the whole file, across several flushes
    [InlineData(262_143, 262_146)] // a range that straddles a flush boundary
    [InlineData(699_999, 2)] // the last bytes
    [InlineData(5, 0)]
    public async Task ARangeIsCopiedByteExact(long offset, long length)
    {
        byte[] data = new byte[700_001];
        new Random(7).NextBytes(data);
        string path = Path.Combine(_folder, "data.bin");
        File.WriteAllBytes(path, data);
        using FileSnapshot file = FileSnapshot.Open(path);
        Assert.Equal(data.Length, file.Length);
        Assert.Equal(data.AsSpan((int)offset, (int)length).ToArray(), await SendAsync(file, offset, length));
    }

    [Fact]
    public async Task TheFileIsReadIntoTheTransportsOwnBlocks()
    {
        // Kestrel's socket transport pipe with WsgiHost's 128 KiB blocks: a piece asked for
        // larger than a block made the pipe take it from ArrayPool, outside the pool.
        string path = Path.Combine(_folder, "big.bin");
        File.WriteAllBytes(path, new byte[1024 * 1024]);
        using FileSnapshot file = FileSnapshot.Open(path);
        using var pool = new CountingPool(128 * 1024);
        var pipe = new Pipe(new PipeOptions(pool, pauseWriterThreshold: 0));

        await FileBody.SendAsync(pipe.Writer, file.Handle, 0, file.Length, CancellationToken.None);

        Assert.True(pool.Rented * pool.MaxBufferSize >= file.Length, $"{pool.Rented} blocks of the pool for {file.Length} bytes");
    }

    [Fact]
    public void ValidatorsAnAppChoseLeaveTheContentTagOfTheFile()
    {
        string path = Path.Combine(_folder, "report.pdf");
        File.WriteAllText(path, "report");
        using FileSnapshot file = FileSnapshot.Open(path);
        EntityTag own = file.ETag;

        file.UseValidators(new EntityTag("\"release-7\"", false), new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero));

        Assert.Equal("\"release-7\"", file.ETag.ToString());
        Assert.Equal(own, file.ContentTag);   // what the compressed-copy cache is keyed by
        Assert.False(file.LastModifiedIsStrong);
    }

    private sealed class CountingPool(int blockSize) : System.Buffers.MemoryPool<byte>
    {
        public int Rented { get; private set; }

        public override int MaxBufferSize => blockSize;

        public override System.Buffers.IMemoryOwner<byte> Rent(int minBufferSize = -1)
        {
            Rented++;
            return System.Buffers.MemoryPool<byte>.Shared.Rent(blockSize);
        }

        protected override void Dispose(bool disposing)
        {
        }
    }

    [Fact]
    public async Task TheBodyIsTheFileTheValidatorsCameFromEvenIfTheNameIsReplaced()
    {
        // A deploy that renames a new version into place between the open and the send: the
        // response keeps the length and ETag it announced and the bytes that go with them.
        string path = Path.Combine(_folder, "app.css");
        File.WriteAllText(path, "old contents");
        using FileSnapshot file = FileSnapshot.Open(path);
        string next = Path.Combine(_folder, "app.css.new");
        File.WriteAllText(next, "the new, longer contents");
        File.Move(next, path, overwrite: true);
        Assert.Equal(12, file.Length);
        Assert.Equal("old contents"u8.ToArray(), await SendAsync(file, 0, file.Length));
    }

    [Fact]
    public async Task AFileThatShrankEndsTheBodyEarlyInsteadOfPaddingIt()
    {
        string path = Path.Combine(_folder, "log.txt");
        File.WriteAllText(path, "0123456789");
        using FileSnapshot file = FileSnapshot.Open(path);
        using (var truncate = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        {
            truncate.SetLength(4);
        }
        Assert.Equal("0123"u8.ToArray(), await SendAsync(file, 0, file.Length));
    }
}
