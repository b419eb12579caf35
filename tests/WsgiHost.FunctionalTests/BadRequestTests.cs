using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>Nothing a client sends crashes the server; malformed input gets the right 4xx and a log line.</summary>
[Collection(GatewayCollection.Name)]
public sealed class BadRequestTests(GatewayServer server)
{
    private WsgiHostProcess Host => server.Host;

    [Theory]
    [InlineData("GARBAGE\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nBad Header Line\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello")]
    [InlineData("GET / HTTP/1.1\r\n\r\n")]
    [InlineData("GET /\0 HTTP/1.1\r\nHost: a\r\n\r\n")]
    // Hosts Apache refuses and Kestrel lets through (QA): an empty label, a port out of range.
    [InlineData("GET /environ HTTP/1.1\r\nHost: a..test\r\n\r\n")]
    [InlineData("GET /environ HTTP/1.1\r\nHost: a.test..\r\n\r\n")]
    [InlineData("GET /environ HTTP/1.1\r\nHost: a.test:0\r\n\r\n")]
    [InlineData("GET /environ HTTP/1.1\r\nHost: a.test:99999\r\n\r\n")]
    [InlineData("GET http://a..test/environ HTTP/1.1\r\nHost: a.test\r\n\r\n")]
    public async Task MalformedRequestsGet400(string request)
    {
        string response = await RawHttp.SendAsync(Host.Port, request);
        Assert.Equal(400, RawHttp.StatusOf(response));
        Assert.False(Host.HasExited);
    }

    [Fact]
    public async Task OversizedHeadersGet431()
    {
        string request = "GET /write HTTP/1.1\r\nHost: a\r\n" + string.Concat(Enumerable.Range(0, 100).Select(i => $"X-Big-{i}: {new string('x', 1000)}\r\n")) + "\r\n";
        string response = await RawHttp.SendAsync(Host.Port, request);
        Assert.Equal(431, RawHttp.StatusOf(response));
        await Host.WaitForLogAsync("[http:info]");
    }

    [Fact]
    public async Task AHeaderSectionFarLargerThanTheReadAheadIsServed()
    {
        // 90 fields of 8,000 bytes (720 KB) are within Apache's default limits (100 fields of
        // 8,190 bytes) and nearly three times the 256 KiB the server reads ahead of the app:
        // the section is taken field by field, never buffered whole.
        string request = "GET /environ HTTP/1.1\r\nHost: a\r\nConnection: close\r\n"
            + string.Concat(Enumerable.Range(0, 90).Select(i => $"X-Big-{i}: {(char)('a' + i % 26)}{new string('x', 7990)}\r\n")) + "\r\n";
        string response = await RawHttp.SendAsync(Host.Port, request, timeoutMs: 10000);
        Assert.Equal(200, RawHttp.StatusOf(response));
        Assert.Contains("\"HTTP_X_BIG_89\"", response);
        Assert.Contains("\"value\": \"l" + new string('x', 7990) + "\"", response);
    }

    [Fact]
    public async Task ATruncatedBodyFailsOnlyThatRequest()
    {
        string response = await RawHttp.SendAsync(Host.Port, "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\nonly a little", timeoutMs: 2000);
        Assert.DoesNotContain("\"length\": 100000", response);
        using var next = await Host.Client.GetAsync("/write");
        Assert.Equal(200, (int)next.StatusCode);
    }

    [Fact]
    public async Task RandomBytesNeverCrashTheServer()
    {
        var random = new Random(7);
        for (int i = 0; i < 30; i++)
        {
            byte[] junk = new byte[random.Next(1, 2000)];
            random.NextBytes(junk);
            await RawHttp.SendBytesAsync(Host.Port, junk, timeoutMs: 1000);
        }
        using var response = await Host.Client.GetAsync("/write");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.False(Host.HasExited);
    }
}
