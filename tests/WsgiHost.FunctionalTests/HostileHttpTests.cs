using System.Text;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// Request smuggling shapes, header and body limits against `wsgihost run` (hostile.conf): each
/// is refused with the right 4xx, the connection is not reused, and no smuggled request ever
/// reaches the app (gateway.wsgi records every request target it is called with).
/// </summary>
[Collection(HostileSiteCollection.Name)]
public sealed class HostileHttpTests(HostileSite site)
{
    private WsgiHostProcess Host => site.Host;

    /// <summary>A request that declares its body twice, or ambiguously, with a second request hidden after it (to a mount that takes chunked bodies).</summary>
    [Theory]
    [InlineData("CL then TE", "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")]
    [InlineData("TE then CL", "Transfer-Encoding: chunked\r\nContent-Length: 60\r\n\r\n0\r\n\r\n")]
    [InlineData("TE list ending in chunked", "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n")]
    [InlineData("TE chunked twice", "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")]
    [InlineData("TE chunked, identity", "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n")]
    [InlineData("TE not chunked", "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n")]
    [InlineData("TE identity", "Transfer-Encoding: identity\r\n\r\n")]
    [InlineData("space before the colon", "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n")]
    [InlineData("conflicting CL", "Content-Length: 0\r\nContent-Length: 60\r\n\r\n")]
    [InlineData("duplicate CL", "Content-Length: 0\r\nContent-Length: 0\r\n\r\n")]
    [InlineData("CL list", "Content-Length: 0, 0\r\n\r\n")]
    [InlineData("CL hex", "Content-Length: 0x0\r\n\r\n")]
    [InlineData("obs-fold", "X-Folded: a\r\n Transfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n")]
    [InlineData("obs-fold with tab", "Content-Length: 0\r\nX-Folded: a\r\n\tb\r\n\r\n")]
    [InlineData("control character in a value", "X-Ctl: a\u0001b\r\nContent-Length: 0\r\n\r\n")]
    [InlineData("control character in a name", "X\u0001Ctl: ab\r\nContent-Length: 0\r\n\r\n")]
    [InlineData("chunk size not hex", "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n")]
    [InlineData("negative chunk size", "Transfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("overflowing chunk size", "Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nhello\r\n0\r\n\r\n")]
    [InlineData("chunk size with a leading space", "Transfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("chunk longer than its size", "Transfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n")]
    [InlineData("chunk lines ending in bare LF", "Transfer-Encoding: chunked\r\n\r\n5\nhello\n0\n\n")]
    public async Task SmugglingShapesGet400AndNeverReachTheApp(string shape, string headersAndBody)
    {
        string token = "smuggle-" + Guid.NewGuid().ToString("N");
        string hidden = $"GET /app/write?{token}-hidden HTTP/1.1\r\nHost: hostile.test\r\n\r\n";
        string request = $"POST /limited/echo?{token}-outer HTTP/1.1\r\nHost: hostile.test\r\n{headersAndBody}{hidden}";

        string response = await RawHttp.SendAsync(Host.Port, request);

        Assert.True(RawHttp.StatusOf(response) == 400, $"{shape}: {response}");
        // One answer, then the connection closed: the hidden request got no answer of its own.
        Assert.Equal(1, Count(response, "HTTP/1.1 "));
        Assert.Equal("[]", await site.SeenAsync(token));
        Assert.False(Host.HasExited);
    }

    [Fact]
    public async Task ARequestInsideABodyIsBodyTheAppSeesExactlyOneRequest()
    {
        string token = "inner-" + Guid.NewGuid().ToString("N");
        string hidden = $"GET /app/write?{token}-hidden HTTP/1.1\r\nHost: hostile.test\r\n\r\n";
        string request = $"POST /app/echo?{token}-outer HTTP/1.1\r\nHost: hostile.test\r\nConnection: close\r\nContent-Length: {hidden.Length}\r\n\r\n{hidden}";

        string response = await RawHttp.SendAsync(Host.Port, request);

        Assert.Equal(200, RawHttp.StatusOf(response));
        Assert.Contains($"\"length\": {hidden.Length}", response);
        Assert.Equal($"[\"/app/echo?{token}-outer\"]", await site.SeenAsync(token));
    }

    [Fact]
    public async Task AContentLengthWithManyLeadingZerosIsAValidLength()
    {
        // 1*DIGIT: 21 digits are as valid as 1 (Apache reads the body). Kestrel, handed the field
        // through the Latin-1 header encoding, threw on it: no response, a dozen log lines.
        string request = "POST /app/echo HTTP/1.1\r\nHost: hostile.test\r\nConnection: close\r\nContent-Length: 000000000000000000005\r\n\r\nhello";

        string response = await RawHttp.SendAsync(Host.Port, request);

        Assert.Equal(200, RawHttp.StatusOf(response));
        Assert.Contains("\"length\": 5", response);
        Assert.False(Host.HasExited);
    }

    [Fact]
    public async Task ConnectIsRefusedAndNothingFollowsTheAnswer()
    {
        // Answered by the app before, as a 2xx without framing: its body bytes were read as the next response.
        string token = "connect-" + Guid.NewGuid().ToString("N");
        string response = await RawHttp.SendAsync(Host.Port,
            $"CONNECT /app/write?{token} HTTP/1.1\r\nHost: hostile.test\r\n\r\nGET /app/write?{token}-next HTTP/1.1\r\nHost: hostile.test\r\n\r\n");

        Assert.Equal(400, RawHttp.StatusOf(response));
        Assert.Equal(1, Count(response, "HTTP/1.1 "));
        Assert.EndsWith("</html>\n", response, StringComparison.Ordinal);
        Assert.Equal("[]", await site.SeenAsync(token));
    }

    [Fact]
    public async Task TraceIsAnsweredByTheServerAndNeverReachesTheApp()
    {
        // TraceEnable on, Apache's default: the head echoed back; a body is 413.
        string token = "trace-" + Guid.NewGuid().ToString("N");
        string response = await RawHttp.SendAsync(Host.Port, $"TRACE /app/write?{token} HTTP/1.1\r\nHost: hostile.test\r\nX-Probe: {token}\r\nConnection: close\r\n\r\n");

        Assert.Equal(200, RawHttp.StatusOf(response));
        Assert.Contains("Content-Type: message/http\r\n", response, StringComparison.Ordinal);
        Assert.Contains($"\r\n\r\nTRACE /app/write?{token} HTTP/1.1\r\n", response, StringComparison.Ordinal);
        Assert.Contains($"X-Probe: {token}\r\n", response, StringComparison.Ordinal);
        Assert.Equal("[]", await site.SeenAsync(token));

        string withBody = await RawHttp.SendAsync(Host.Port, $"TRACE /app/write?{token} HTTP/1.1\r\nHost: hostile.test\r\nContent-Length: 3\r\n\r\nabc");
        Assert.Equal(413, RawHttp.StatusOf(withBody));
    }

    [Fact]
    public async Task AnExpectationOtherThan100ContinueGets417()
    {
        string response = await RawHttp.SendAsync(Host.Port, "GET /app/write HTTP/1.1\r\nHost: hostile.test\r\nExpect: foo\r\nConnection: close\r\n\r\n");

        Assert.Equal(417, RawHttp.StatusOf(response));
        Assert.Contains("Expectation Failed", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OptionsStarIsAnsweredByTheServer()
    {
        string response = await RawHttp.SendAsync(Host.Port, "OPTIONS * HTTP/1.1\r\nHost: hostile.test\r\nConnection: close\r\n\r\n");

        Assert.Equal(200, RawHttp.StatusOf(response));
        Assert.Contains("Allow: GET,HEAD,POST,OPTIONS\r\n", response);
        Assert.Contains("Content-Length: 0\r\n", response);
    }

    [Fact]
    public async Task AnAbsoluteFormTargetNamesTheHostWhateverTheHostHeaderSays()
    {
        // RFC 9112 3.2.2: the target's authority wins and the Host header is ignored (Apache: 200).
        string token = "absolute-" + Guid.NewGuid().ToString("N");
        string response = await RawHttp.SendAsync(Host.Port, $"GET http://hostile.test/app/write?{token} HTTP/1.1\r\nHost: other.example\r\nConnection: close\r\n\r\n");

        Assert.Equal(200, RawHttp.StatusOf(response));
        Assert.Equal($"[\"/app/write?{token}\"]", await site.SeenAsync(token));
    }

    [Fact]
    public async Task HeaderCountOverLimitRequestFieldsGets431()
    {
        // LimitRequestFields 30: Host, Connection and 28 more are allowed; one more is not.
        string Request(int extra) => "GET /app/write HTTP/1.1\r\nHost: hostile.test\r\nConnection: close\r\n"
            + string.Concat(Enumerable.Range(0, extra).Select(i => $"X-Field-{i}: {i}\r\n")) + "\r\n";

        Assert.Equal(200, RawHttp.StatusOf(await RawHttp.SendAsync(Host.Port, Request(28))));
        Assert.Equal(431, RawHttp.StatusOf(await RawHttp.SendAsync(Host.Port, Request(29))));
    }

    [Fact]
    public async Task AFieldOverLimitRequestFieldSizeGets431()
    {
        // LimitRequestFieldSize 2000 counts "Name: value": "X-Big: " is 7 bytes.
        string Request(int valueLength) => $"GET /app/write HTTP/1.1\r\nHost: hostile.test\r\nConnection: close\r\nX-Big: {new string('v', valueLength)}\r\n\r\n";

        Assert.Equal(200, RawHttp.StatusOf(await RawHttp.SendAsync(Host.Port, Request(1993))));
        Assert.Equal(431, RawHttp.StatusOf(await RawHttp.SendAsync(Host.Port, Request(1994))));
        await Host.WaitForLogAsync("request header field 'X-Big' is 2001 bytes, over LimitRequestFieldSize 2000");
    }

    [Fact]
    public async Task ARequestLineOverLimitRequestLineGets414()
    {
        // LimitRequestLine 1000 counts "GET /app/write?q HTTP/1.1" without its CRLF.
        string Request(int lineLength)
        {
            string prefix = "GET /app/write?";
            string suffix = " HTTP/1.1";
            return prefix + new string('q', lineLength - prefix.Length - suffix.Length) + suffix + "\r\nHost: hostile.test\r\nConnection: close\r\n\r\n";
        }

        Assert.Equal(200, RawHttp.StatusOf(await RawHttp.SendAsync(Host.Port, Request(1000))));
        Assert.Equal(414, RawHttp.StatusOf(await RawHttp.SendAsync(Host.Port, Request(1001))));
    }

    [Fact]
    public async Task ADeclaredBodyOverLimitRequestBodyGets413BeforeItIsSent()
    {
        string token = "big-" + Guid.NewGuid().ToString("N");
        // 1 GB declared, 100 bytes sent, and the connection kept open (RawHttp reads until the
        // server closes, without ending its side): the 413 must come anyway.
        string response = await RawHttp.SendAsync(Host.Port,
            $"POST /limited/echo?{token} HTTP/1.1\r\nHost: hostile.test\r\nContent-Length: 1000000000\r\n\r\n" + new string('b', 100), timeoutMs: 30_000);

        Assert.Equal(413, RawHttp.StatusOf(response));
        Assert.Contains("Connection: close", response);
        Assert.Equal("[]", await site.SeenAsync(token));
    }

    [Theory]
    [InlineData("/limited", 10_000)]
    [InlineData("/limited", 200)]
    [InlineData("/daemon-limited", 10_000)]
    [InlineData("/daemon-limited", 200)]
    public async Task AChunkedBodyCrossingLimitRequestBodyGets413(string mount, int chunkSize)
    {
        // LimitRequestBody 100000; the body crosses it after the 64 KiB read before the app runs
        // (the app's read fails: 413, not 500), or within it when chunks are small and many;
        // embedded, and in a daemon worker (the front forwards the body).
        int total = chunkSize == 200 ? 100_200 : 150_000;
        var body = new StringBuilder();
        for (int sent = 0; sent < total; sent += chunkSize)
        {
            body.Append(chunkSize.ToString("x", System.Globalization.CultureInfo.InvariantCulture)).Append("\r\n").Append('c', chunkSize).Append("\r\n");
        }
        body.Append("0\r\n\r\n");

        string response = await RawHttp.SendAsync(Host.Port, $"POST {mount}/echo HTTP/1.1\r\nHost: hostile.test\r\nTransfer-Encoding: chunked\r\n\r\n{body}");

        Assert.True(RawHttp.StatusOf(response) == 413, response);
        using var next = await Host.Client.GetAsync(mount + "/write");
        Assert.Equal(200, (int)next.StatusCode);
    }

    [Theory]
    [InlineData("/limited")]
    [InlineData("/daemon-limited")]
    public async Task AChunkedBodyCrossingLimitRequestBodyWhileTheAppReadsItGets413(string mount)
    {
        // The first 80 KB pass the check before the app runs; the rest comes once the app (in a
        // daemon worker: the front's body pump) reads, and crosses LimitRequestBody 100000 there.
        static string Chunks(int bytes) => string.Concat(Enumerable.Repeat($"{2000:x}\r\n{new string('c', 2000)}\r\n", bytes / 2000));
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync("127.0.0.1", Host.Port);
        using var stream = client.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes($"POST {mount}/echo HTTP/1.1\r\nHost: hostile.test\r\nTransfer-Encoding: chunked\r\n\r\n{Chunks(80_000)}"));
        await Task.Delay(300);
        await stream.WriteAsync(Encoding.Latin1.GetBytes(Chunks(40_000) + "0\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.Latin1);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        string status = await reader.ReadLineAsync(timeout.Token) ?? "";
        Assert.StartsWith("HTTP/1.1 413", status, StringComparison.Ordinal);
        using var next = await Host.Client.GetAsync(mount + "/write");
        Assert.Equal(200, (int)next.StatusCode);
    }

    [Theory]
    [InlineData("/limited")]
    [InlineData("/daemon-limited")]
    public async Task AChunkedBodyOfExactlyLimitRequestBodyInSmallChunksReachesTheApp(string mount)
    {
        // 100,000 body bytes (LimitRequestBody 100000) in one-byte chunks: 600,000 bytes on the
        // wire with their framing, which only the body's bytes count against, as in Apache.
        string chunks = string.Concat(Enumerable.Repeat("1\r\nc\r\n", 100_000));
        string response = await RawHttp.SendAsync(Host.Port,
            $"POST {mount}/echo HTTP/1.1\r\nHost: hostile.test\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n{chunks}0\r\n\r\n");

        Assert.True(RawHttp.StatusOf(response) == 200, response);
        Assert.Contains("\"length\": 100000", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AChunkedBodyUnderLimitRequestBodyReachesTheAppWhole()
    {
        string response = await RawHttp.SendAsync(Host.Port,
            "POST /limited/echo HTTP/1.1\r\nHost: hostile.test\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");

        Assert.Equal(200, RawHttp.StatusOf(response));
        Assert.Contains("\"length\": 11", response);
    }

    private static int Count(string text, string what)
    {
        int count = 0;
        for (int i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }
}
