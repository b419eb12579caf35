using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// wsgi.file_wrapper over a regular file, in both modes: embedded (the file read into Kestrel's
/// response) and daemon (the worker sends it with sendfile to the front, which relays it).
/// </summary>
public abstract class FileWrapperTests
{
    protected abstract WsgiHostProcess Host { get; }

    /// <summary>What tests/apps/gateway.wsgi puts in a file of <paramref name="size"/> bytes.</summary>
    private static byte[] FileBytes(int size = 1024 * 1024) => [.. Enumerable.Range(0, size).Select(i => (byte)i)];

    [Theory]
    [InlineData("")]
    [InlineData("kind=iterate&")]
    public async Task TheWholeFileIsSentWithContentLength(string kind)
    {
        using var response = await Host.Client.GetAsync($"/file-wrapper?{kind}x=1");
        Assert.Equal(200, (int)response.StatusCode);
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(FileBytes(), body);
        if (kind == "")
        {
            Assert.Equal(FileBytes().Length, response.Content.Headers.ContentLength);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3 * 1024 * 1024 + 7)] // more than one frame of the daemon protocol (1 MiB each)
    public async Task FilesOfAnySizeArriveWhole(int size)
    {
        using var response = await Host.Client.GetAsync($"/file-wrapper?size={size}");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(size, response.Content.Headers.ContentLength);
        Assert.Equal(FileBytes(size), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task SendingStartsAtTheFilesCurrentPosition()
    {
        using var response = await Host.Client.GetAsync("/file-wrapper?seek=1000");
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(FileBytes()[1000..], body);
        Assert.Equal(FileBytes().Length - 1000, response.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task AShorterContentLengthCapsTheBytesSent()
    {
        using var response = await Host.Client.GetAsync("/file-wrapper?seek=10&cl=300");
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(FileBytes()[10..310], body);
    }

    [Fact]
    public async Task AHeadRequestGetsTheLengthAndNoBody()
    {
        using var response = await Host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/file-wrapper?size=5000"));
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(5000, response.Content.Headers.ContentLength);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [ShortFileFact]
    public async Task AFileThatHoldsLessThanItsSizeNeverArrivesAsAWholeResponse()
    {
        // The length is taken from the file's size (4096) before it is sent; the file then ends
        // after a few bytes, as one that shrank meanwhile: the client must see the response cut
        // short, not the few bytes padded out to the length it was promised.
        long size = new FileInfo(ShortFile.Path).Length;
        using var response = await Host.Client.GetAsync($"/file-wrapper?path={ShortFile.Path}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(size, response.Content.Headers.ContentLength);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => response.Content.ReadAsByteArrayAsync());
        // The log says why, and what to do.
        string logged = await Host.WaitForLogAsync("bytes before the size it had when the response began");
        Assert.Contains("Replace such files by renaming a new one into place", logged);
        using var after = await Host.Client.GetAsync("/file-wrapper?size=5000");
        Assert.Equal(FileBytes(5000), await after.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task TheWrapperIsClosedOnce()
    {
        string tag = Guid.NewGuid().ToString("N");
        using (var response = await Host.Client.GetAsync($"/file-wrapper?tag={tag}"))
        {
            Assert.Equal(FileBytes().Length, (await response.Content.ReadAsByteArrayAsync()).Length);
        }
        using var count = await Host.Client.GetAsync($"/close?count&{tag}");
        Assert.Equal("1", await count.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheConnectionServesTheNextRequestAfterAFile()
    {
        for (int i = 0; i < 3; i++)
        {
            using var response = await Host.Client.GetAsync("/file-wrapper?size=200000");
            Assert.Equal(FileBytes(200000), await response.Content.ReadAsByteArrayAsync());
        }
        using var after = await Host.Client.GetAsync("/environ");
        Assert.Equal(200, (int)after.StatusCode);
    }
}

[Collection(GatewayCollection.Name)]
public sealed class EmbeddedFileWrapperTests(GatewayServer server) : FileWrapperTests
{
    protected override WsgiHostProcess Host => server.Host;
}

public sealed class DaemonFileWrapperTests(DaemonFileWrapperTests.Server server) : FileWrapperTests, IClassFixture<DaemonFileWrapperTests.Server>
{
    protected override WsgiHostProcess Host => server.Host;

    /// <summary>The gateway app in serve's default mode: one daemon worker.</summary>
    public sealed class Server : IAsyncLifetime
    {
        private WsgiHostProcess? _host;

        public WsgiHostProcess Host => _host ?? throw new InvalidOperationException("not started");

        public async Task InitializeAsync() =>
            _host = await WsgiHostProcess.StartDaemonAsync(WsgiHostProcess.App("gateway.wsgi"), "--threads", "4");

        public async Task DisposeAsync()
        {
            if (_host != null)
            {
                await _host.DisposeAsync();
            }
        }
    }
}
