using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

[Collection(GatewayCollection.Name)]
public sealed class ResponseTests(GatewayServer server)
{
    private WsgiHostProcess Host => server.Host;

    private static string Get(string path, string method = "GET") =>
        $"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";

    [Theory]
    [InlineData("str", "TypeError: sequence of byte string values expected, value of type str found")]
    [InlineData("list-str", "TypeError: sequence of byte string values expected, value of type str found")]
    [InlineData("none", "TypeError: 'NoneType' object is not iterable")]
    [InlineData("bytearray", "TypeError: sequence of byte string values expected, value of type bytearray found")]
    [InlineData("write-str", "TypeError: write() argument must be bytes, not str")]
    public async Task NonBytesBodiesGive500AndALoggedTypeErrorNamingTheType(string kind, string logged)
    {
        using var response = await Host.Client.GetAsync($"/bad-body?{kind}");
        Assert.Equal(500, (int)response.StatusCode);
        Assert.Contains("Internal Server Error", await response.Content.ReadAsStringAsync());
        string log = await Host.WaitForLogAsync(logged);
        Assert.Contains("[wsgi:error]", log);
    }

    [Fact]
    public async Task AStrBodyIsNamedInTheLog()
    {
        using var response = await Host.Client.GetAsync("/bad-body?list-str");
        Assert.Equal(500, (int)response.StatusCode);
        await Host.WaitForLogAsync("sequence of byte string values expected, value of type str found");
    }

    [Theory]
    [InlineData("no-reason", "status must be 3 digits")]
    [InlineData("letters", "status must be 3 digits")]
    [InlineData("bytes", "status must be a str")]
    [InlineData("crlf-header", "CR or LF")]
    [InlineData("bytes-header", "header name must be a str")]
    [InlineData("tuple-headers", "response headers must be a list, not tuple")]
    [InlineData("non-latin1", "must be a str of latin-1 characters")]
    public async Task InvalidStatusOrHeadersGive500AndALogLine(string kind, string logged)
    {
        string response = await RawHttp.SendAsync(Host.Port, Get($"/bad-status?{kind}"));
        Assert.Equal(500, RawHttp.StatusOf(response));
        Assert.DoesNotContain("should not be seen", response);
        Assert.DoesNotContain("Set-Cookie", response);
        await Host.WaitForLogAsync(logged);
    }

    [Fact]
    public async Task AStartResponseCalledAgainBeforeTheBodyReplacesTheFirstAsUnderModWsgi()
    {
        using var response = await Host.Client.GetAsync("/bad-status?twice");
        Assert.Equal(201, (int)response.StatusCode);
        Assert.False(response.Headers.Contains("X-First"));
        Assert.Equal("2", response.Headers.GetValues("X-Second").Single());
        Assert.Equal("the second call wins", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public Task ABodyOnAStatusThatHasNoneIsDroppedAndTheConnectionGoesOn() => AssertBodiesOfBodylessStatusesAreDropped(Host.Port);

    /// <summary>
    /// An app that returns content with a 204, 205 or 304 (Django's HttpResponse('ok',
    /// status=204)): the response goes out without it, as Apache sends it, and the next response
    /// on the connection is whole. Sent, the body would be read as the start of the next response.
    /// </summary>
    internal static async Task AssertBodiesOfBodylessStatusesAreDropped(int port)
    {
        foreach (string status in new[] { "204 No Content", "205 Reset Content", "304 Not Modified" })
        {
            string first = $"GET /headers-back?{Uri.EscapeDataString(status)}|X-Status|{status[..3]} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
            string second = "GET /headers-back?200%20OK|X-Status|200 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
            string response = await RawHttp.SendAsync(port, first + second);
            Assert.StartsWith($"HTTP/1.1 {status}\r\n", response, StringComparison.Ordinal);
            int next = response.IndexOf("HTTP/1.1 200 OK\r\n", StringComparison.Ordinal);
            Assert.True(next > 0, $"no second response after the {status}:\n{response}");
            string head = response[..next];
            Assert.EndsWith("\r\n\r\n", head, StringComparison.Ordinal);   // nothing between the head and the next response
            Assert.Contains($"X-Status: {status[..3]}\r\n", head, StringComparison.Ordinal);
            if (status[..3] == "204")
            {
                Assert.DoesNotContain("Content-Length", head, StringComparison.OrdinalIgnoreCase);
            }
            else if (status[..3] == "205")
            {
                // Kestrel says so itself (RFC 9110 15.3.6 allows it); never the dropped body's length.
                Assert.DoesNotMatch("Content-Length: [1-9]", head);
            }
            Assert.EndsWith("headers back", response, StringComparison.Ordinal);
            Assert.Single(System.Text.RegularExpressions.Regex.Matches(response, "headers back"));
        }
    }

    [Fact]
    public async Task EachResponseCarriesItsOwnStatusAndHeadersWhenTheyChangeBetweenRequests()
    {
        // One connection, so the same WSGI thread is likely to serve them all: what it read for
        // the previous request must never stand in for what this one's app said.
        (string Query, string Status, string Header)[] cases =
        [
            ("200%20OK|X-Value|alpha", "HTTP/1.1 200 OK", "X-Value: alpha"),
            ("201%20Made%20Here|X-Value|beta", "HTTP/1.1 201 Made Here", "X-Value: beta"),
            ("200%20OK|X-Value|caf%E9", "HTTP/1.1 200 OK", "X-Value: caf\u00e9"),
            ("200%20OK|X-Other|alpha", "HTTP/1.1 200 OK", "X-Other: alpha"),
            ("200%20OK|X-Value|alphb", "HTTP/1.1 200 OK", "X-Value: alphb"),
            ("404%20Not%20Here|X-Value|alpha", "HTTP/1.1 404 Not Here", "X-Value: alpha"),
            // An empty value is sent as mod_wsgi sends it, not dropped.
            ("200%20OK|X-Empty|", "HTTP/1.1 200 OK", "X-Empty: "),
        ];
        string requests = string.Concat(cases.Select((c, i) =>
            $"GET /headers-back?{c.Query} HTTP/1.1\r\nHost: 127.0.0.1\r\n{(i == cases.Length - 1 ? "Connection: close\r\n" : "")}\r\n"));
        string responses = await RawHttp.SendAsync(Host.Port, requests);
        int at = 0;
        foreach (var (_, status, header) in cases)
        {
            Assert.True(responses.IndexOf("HTTP/1.1 ", at, StringComparison.Ordinal) == at, $"expected a response at {at}: {responses}");
            int end = responses.IndexOf("\r\n\r\n", at, StringComparison.Ordinal) + 4;
            string head = responses[at..end];
            Assert.StartsWith(status + "\r\n", head, StringComparison.Ordinal);
            Assert.Contains("\r\n" + header + "\r\n", head, StringComparison.Ordinal);
            int body = responses.IndexOf("headers back", end, StringComparison.Ordinal);
            Assert.True(body >= 0, responses);
            at = responses.IndexOf("HTTP/1.1 ", body, StringComparison.Ordinal) is int next and >= 0 ? next : responses.Length;
        }
        Assert.Equal(responses.Length, at);
    }

    [Fact]
    public async Task ABodyLongerThanContentLengthIsCutAtIt()
    {
        string response = await RawHttp.SendAsync(Host.Port, Get("/content-length?longer"));
        Assert.Equal(200, RawHttp.StatusOf(response));
        Assert.Contains("Content-Length: 5\r\n", response);
        Assert.EndsWith("\r\n\r\n12345", response);
    }

    [Fact]
    public async Task ABodyShorterThanContentLengthEndsTheConnectionVisiblyIncomplete()
    {
        string response = await RawHttp.SendAsync(Host.Port, Get("/content-length?shorter"));
        Assert.Contains("Content-Length: 100\r\n", response);
        string body = response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        Assert.True(body.Length < 100, "the client must see fewer bytes than announced");
        await Host.WaitForLogAsync("Truncated response");
        // And HttpClient sees an error rather than a silently short 200.
        await Assert.ThrowsAnyAsync<HttpRequestException>(async () =>
        {
            using var r = await Host.Client.GetAsync("/content-length?shorter");
            await r.Content.ReadAsByteArrayAsync();
        });
    }

    [Theory]
    [InlineData("empty-list")]
    [InlineData("empty-strings")]
    public async Task AnEmptyBodyGetsContentLengthZero(string kind)
    {
        string response = await RawHttp.SendAsync(Host.Port, Get($"/content-length?{kind}"));
        Assert.Equal(200, RawHttp.StatusOf(response));
        Assert.Contains("Content-Length: 0\r\n", response);
        Assert.DoesNotContain("Transfer-Encoding", response);
    }

    [Fact]
    public async Task AGeneratorBodyIsSentChunked()
    {
        string response = await RawHttp.SendAsync(Host.Port, Get("/content-length?generator"));
        Assert.Contains("Transfer-Encoding: chunked\r\n", response);
        Assert.EndsWith("\r\n0\r\n\r\n", response);
        Assert.Contains("generated", response.Replace("\r\n6\r\n", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HeadRunsTheAppButSendsNoBody()
    {
        string response = await RawHttp.SendAsync(Host.Port, Get("/content-length?longer", "HEAD"));
        Assert.Equal(200, RawHttp.StatusOf(response));
        Assert.Contains("Content-Length: 5\r\n", response);
        Assert.EndsWith("\r\n\r\n", response);
    }

    [Theory]
    [InlineData("HEAD", "head-empty", 200)]
    [InlineData("GET", "not-modified", 304)]
    public async Task AnEmptyBodyForHeadOrNotModifiedUnderTheFullLengthIsNoTruncation(string method, string kind, int status)
    {
        // Werkzeug answers HEAD with the GET's Content-Length and no body: a complete response,
        // and the connection stays for the next request (pipelined here).
        string response = await RawHttp.SendAsync(Host.Port,
            $"{method} /content-length?{kind} HTTP/1.1\r\nHost: localhost\r\n\r\n" +
            "GET /content-length?head-empty HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        Assert.StartsWith($"HTTP/1.1 {status} ", response, StringComparison.Ordinal);
        Assert.Contains("Content-Length: 11\r\n", response, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\nhello world", response, StringComparison.Ordinal);
        Assert.Equal(2, response.Split("HTTP/1.1 ").Length - 1);
        Assert.DoesNotContain($"content-length?{kind}", Host.ErrorLog, StringComparison.Ordinal);
    }

    /// <summary>
    /// Heads without content as Apache's core sends them (QA, side by side with Apache 2.4 and
    /// mod_wsgi): a 304 and a 204 carry neither Content-Length nor Content-Type, and a HEAD never
    /// says Content-Length: 0 (a streamed page, answered to HEAD with no body, read as empty).
    /// </summary>
    [Theory]
    [InlineData("GET", "not-modified", 304)]
    [InlineData("GET", "no-content", 204)]
    [InlineData("HEAD", "generator", 200)]
    [InlineData("HEAD", "empty-list", 200)]
    public async Task AResponseWithoutContentSaysNothingOfItsLength(string method, string kind, int status)
    {
        string response = await RawHttp.SendAsync(Host.Port, Get($"/content-length?{kind}", method));
        Assert.Equal(status, RawHttp.StatusOf(response));
        Assert.EndsWith("\r\n\r\n", response, StringComparison.Ordinal);
        Assert.DoesNotContain("Content-Length:", response, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(status == 200, response.Contains("Content-Type: text/plain\r\n", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WriteCallableOutputPrecedesTheReturnedIterable()
    {
        using var response = await Host.Client.GetAsync("/write");
        Assert.Equal("written then returned", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ExcInfoBeforeHeadersReplacesStatusAndHeaders()
    {
        using var response = await Host.Client.GetAsync("/exc-info?before");
        Assert.Equal(503, (int)response.StatusCode);
        Assert.Equal("Busy Here", response.ReasonPhrase);
        Assert.False(response.Headers.Contains("X-First"));
        Assert.True(response.Headers.Contains("X-Second"));
        Assert.Equal("replacement body", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ExcInfoAfterHeadersReraisesAndTheResponseIsIncomplete()
    {
        string response = await RawHttp.SendAsync(Host.Port, Get("/exc-info?after"));
        Assert.Equal(200, RawHttp.StatusOf(response));
        Assert.Contains("already sent", response);
        Assert.DoesNotContain("\r\n0\r\n\r\n", response);
        await Host.WaitForLogAsync("KeyError: 'too late'");
    }

    [Theory]
    [InlineData("before", "ZeroDivisionError: raised before start_response")]
    [InlineData("systemexit", "SystemExit: 3")]
    [InlineData("keyboard", "KeyboardInterrupt")]
    [InlineData("no-start", "before calling start_response()")]
    public async Task AnExceptionBeforeHeadersIsA500WithATracebackAndTheServerGoesOn(string kind, string logged)
    {
        using var response = await Host.Client.GetAsync($"/raise?{kind}");
        Assert.Equal(500, (int)response.StatusCode);
        string log = await Host.WaitForLogAsync(logged);
        Assert.Contains("Exception occurred processing WSGI script", log);
        if (kind != "no-start")
        {
            Assert.Contains("Traceback (most recent call last):", log);
        }
        using var after = await Host.Client.GetAsync("/write");
        Assert.Equal(200, (int)after.StatusCode);
        Assert.False(Host.HasExited);
    }

    [Fact]
    public async Task AnExceptionAfterHeadersLeavesNoTerminatingChunk()
    {
        string response = await RawHttp.SendAsync(Host.Port, Get("/raise?after-headers"));
        Assert.Equal(200, RawHttp.StatusOf(response));
        Assert.Contains("first chunk", response);
        Assert.DoesNotContain("\r\n0\r\n\r\n", response);
        await Host.WaitForLogAsync("RuntimeError: raised after headers were sent");
    }

    [Fact]
    public async Task AStreamedTenMebibyteDownloadArrivesIntact()
    {
        using var response = await Host.Client.GetAsync("/download", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(200, (int)response.StatusCode);
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(10 * 1024 * 1024, body.Length);
        byte[] block = [.. Enumerable.Repeat(System.Security.Cryptography.SHA256.HashData("seed"u8), 2048).SelectMany(b => b)];
        byte[] expected = [.. Enumerable.Repeat(block, 160).SelectMany(b => b)];
        Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(expected)), Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(body)));
    }
}
