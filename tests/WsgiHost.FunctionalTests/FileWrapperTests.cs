using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

[Collection(GatewayCollection.Name)]
public sealed class FileWrapperTests(GatewayServer server)
{
    private WsgiHostProcess Host => server.Host;

    private static byte[] FileBytes => [.. Enumerable.Repeat(Enumerable.Range(0, 256).Select(i => (byte)i), 4096).SelectMany(b => b)];

    [Theory]
    [InlineData("")]
    [InlineData("kind=iterate&")]
    public async Task TheWholeFileIsSentWithContentLength(string kind)
    {
        using var response = await Host.Client.GetAsync($"/file-wrapper?{kind}x=1");
        Assert.Equal(200, (int)response.StatusCode);
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(FileBytes, body);
        if (kind == "")
        {
            Assert.Equal(FileBytes.Length, response.Content.Headers.ContentLength);
        }
    }

    [Fact]
    public async Task SendingStartsAtTheFilesCurrentPosition()
    {
        using var response = await Host.Client.GetAsync("/file-wrapper?seek=1000");
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(FileBytes[1000..], body);
        Assert.Equal(FileBytes.Length - 1000, response.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task AShorterContentLengthCapsTheBytesSent()
    {
        using var response = await Host.Client.GetAsync("/file-wrapper?seek=10&cl=300");
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(FileBytes[10..310], body);
    }

    [Fact]
    public async Task TheWrapperIsClosedOnce()
    {
        string tag = Guid.NewGuid().ToString("N");
        using (var response = await Host.Client.GetAsync($"/file-wrapper?tag={tag}"))
        {
            Assert.Equal(FileBytes.Length, (await response.Content.ReadAsByteArrayAsync()).Length);
        }
        using var count = await Host.Client.GetAsync($"/close?count&{tag}");
        Assert.Equal("1", await count.Content.ReadAsStringAsync());
    }
}
