using System.IO.Compression;
using System.Net;
using System.Text;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// mod_deflate and mod_brotli as a moved site's config has them (tests/apps/configs/compression.conf:
/// Debian's stock deflate.conf), over real HTTP: what is compressed, what is left alone, and
/// that the compressed bytes decode to the very body the app sent.
/// </summary>
public sealed class CompressionTests
{
    private static async Task<HttpResponseMessage> GetAsync(WsgiHostProcess host, string path, string? acceptEncoding, HttpMethod? method = null, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method ?? HttpMethod.Get, path);
        if (acceptEncoding != null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        }
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return await host.Client.SendAsync(request);
    }

    private static byte[] Gunzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(new MemoryStream(data), CompressionMode.Decompress))
        {
            gzip.CopyTo(output);
        }
        return output.ToArray();
    }

    private static string Encoding(HttpResponseMessage response) => string.Join(",", response.Content.Headers.ContentEncoding);

    private static string Vary(HttpResponseMessage response) => string.Join(",", response.Headers.Vary);

    [Theory]
    [InlineData("/app/page")]
    [InlineData("/daemon/page")]
    public async Task AnHtmlPageIsGzippedForAClientThatAcceptsItAndDecodesToTheAppsBody(string path)
    {
        await using var host = await WsgiHostProcess.RunConfigAsync("compression.conf");

        using HttpResponseMessage identity = await GetAsync(host, path, acceptEncoding: null);
        byte[] plain = await identity.Content.ReadAsByteArrayAsync();
        Assert.Equal(HttpStatusCode.OK, identity.StatusCode);
        Assert.Equal("", Encoding(identity));
        Assert.Null(identity.Headers.TransferEncodingChunked); // the app's Content-Length
        Assert.Equal("Accept-Encoding", Vary(identity)); // a cache must keep the two forms apart
        Assert.True(plain.Length > 20_000, $"the page is {plain.Length} bytes");

        using HttpResponseMessage gzipped = await GetAsync(host, path, "gzip, deflate, br");
        byte[] compressed = await gzipped.Content.ReadAsByteArrayAsync();
        Assert.Equal("gzip", Encoding(gzipped));
        Assert.Equal("Accept-Encoding", Vary(gzipped));
        // The app's Content-Length was the identity body's: the compressed one goes chunked.
        Assert.True(gzipped.Headers.TransferEncodingChunked);
        Assert.True(compressed.Length * 3 < plain.Length, $"{compressed.Length} bytes compressed from {plain.Length}");
        Assert.Equal(plain, Gunzip(compressed));
        // The access log counts the bytes sent, as Apache's %b does after mod_deflate, and
        // DeflateFilterNote's notes say how many went in and the ratio (a whole percentage).
        await host.WaitForOutputAsync($"sent 200 {compressed.Length} {path} {compressed.Length}/{plain.Length} ({compressed.Length * 100 / plain.Length}%)");
        await host.WaitForOutputAsync($"sent 200 {plain.Length} {path} -/- (-%)");
        Assert.Equal(0, await host.StopAsync());
    }

    [Theory]
    [InlineData("/app/file")]
    [InlineData("/daemon/file")]
    [InlineData("/app/big")]
    [InlineData("/daemon/big")]
    public async Task AFileWrapperAndALargeStreamedBodyDecodeToWhatTheAppSent(string path)
    {
        await using var host = await WsgiHostProcess.RunConfigAsync("compression.conf");
        using HttpResponseMessage identity = await GetAsync(host, path, acceptEncoding: null);
        byte[] plain = await identity.Content.ReadAsByteArrayAsync();
        if (path.EndsWith("/file", StringComparison.Ordinal))
        {
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(WsgiHostProcess.TestAppsDirectory, "compress-static", "site.css")), plain);
        }
        else
        {
            Assert.Equal(300 * 1463 * 7, plain.Length);
        }

        using HttpResponseMessage gzipped = await GetAsync(host, path, "gzip");
        Assert.Equal("gzip", Encoding(gzipped));
        byte[] compressed = await gzipped.Content.ReadAsByteArrayAsync();
        Assert.True(compressed.Length * 4 < plain.Length, $"{compressed.Length} bytes compressed from {plain.Length}");
        Assert.Equal(plain, Gunzip(compressed));
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task ABrotliScopeSendsBrToAClientThatAcceptsBothAndGzipToOneThatAcceptsGzipOnly()
    {
        await using var host = await WsgiHostProcess.RunConfigAsync("compression.conf");
        using HttpResponseMessage identity = await GetAsync(host, "/app/br/page", acceptEncoding: null);
        byte[] plain = await identity.Content.ReadAsByteArrayAsync();

        using HttpResponseMessage brotli = await GetAsync(host, "/app/br/page", "gzip, br");
        Assert.Equal("br", Encoding(brotli));
        using var decoded = new MemoryStream();
        using (var stream = new BrotliStream(new MemoryStream(await brotli.Content.ReadAsByteArrayAsync()), CompressionMode.Decompress))
        {
            await stream.CopyToAsync(decoded);
        }
        Assert.Equal(plain, decoded.ToArray());

        // q-values count: gzip preferred over br here, and a coding at q=0 is refused.
        using HttpResponseMessage preferGzip = await GetAsync(host, "/app/br/page", "br;q=0.5, gzip");
        Assert.Equal("gzip", Encoding(preferGzip));
        using HttpResponseMessage refused = await GetAsync(host, "/app/page", "gzip;q=0, br");
        Assert.Equal("", Encoding(refused)); // br is not configured there, gzip refused
        Assert.Equal(plain.Length, (await refused.Content.ReadAsByteArrayAsync()).Length);
        Assert.Equal(0, await host.StopAsync());
    }

    [Theory]
    [InlineData("/app/page?type=image/png", false)]                                       // no filter names the type
    [InlineData("/app/page?header=Cache-Control:no-transform", true)]                      // the app forbids it
    [InlineData("/app/page?short=1", true)]                                                // too short to gain: the framing alone is 18 bytes
    [InlineData("/app/page?header=Content-Encoding:gzip&type=text/html", false)]           // already encoded by the app
    [InlineData("/app/nogzip/page", false)]                                                // SetEnv no-gzip in the scope
    [InlineData("/app/page?status=206%20Partial%20Content&header=Content-Range:bytes%200-9/100", false)]
    public async Task WhatMustNotBeCompressedGoesOutAsTheAppSentIt(string path, bool variesByEncoding)
    {
        await using var host = await WsgiHostProcess.RunConfigAsync("compression.conf");
        using HttpResponseMessage identity = await GetAsync(host, path, acceptEncoding: null);
        byte[] plain = await identity.Content.ReadAsByteArrayAsync();

        using HttpResponseMessage response = await GetAsync(host, path, "gzip");
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(plain, body);
        Assert.Equal(plain.Length, response.Content.Headers.ContentLength);
        Assert.Equal(path.Contains("Content-Encoding") ? "gzip" : "", Encoding(response)); // the app's own, untouched
        Assert.Equal(variesByEncoding ? "Accept-Encoding" : "", Vary(response));
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task SetOutputFilterCompressesEveryTypeAndEmptyResponsesStayEmpty()
    {
        await using var host = await WsgiHostProcess.RunConfigAsync("compression.conf");
        using HttpResponseMessage binary = await GetAsync(host, "/app/everything/page?type=application/octet-stream", "gzip");
        Assert.Equal("gzip", Encoding(binary));
        Assert.True(Gunzip(await binary.Content.ReadAsByteArrayAsync()).Length > 20_000);

        foreach (string status in new[] { "204%20No%20Content", "304%20Not%20Modified" })
        {
            using HttpResponseMessage empty = await GetAsync(host, $"/app/page?status={status}", "gzip");
            Assert.Equal("", Encoding(empty));
            Assert.Empty(await empty.Content.ReadAsByteArrayAsync());
        }
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task AStreamedResponseReachesTheClientPieceByPieceWhileCompressed()
    {
        await using var host = await WsgiHostProcess.RunConfigAsync("compression.conf");
        string gate = Path.Combine(Path.GetTempPath(), $"wsgihost-gate-{Guid.NewGuid():N}");
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/app/stream?gate={Uri.EscapeDataString(gate)}");
            request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip");
            using HttpResponseMessage response = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal("gzip", Encoding(response));
            using var gzip = new GZipStream(await response.Content.ReadAsStreamAsync(), CompressionMode.Decompress);
            using var reader = new StreamReader(gzip, System.Text.Encoding.ASCII);
            // The app holds its second piece until the gate file exists: the first must have
            // been flushed through the encoder (a sync flush) to be readable now.
            Assert.Equal("<p>first piece</p>", await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(15)));
            await File.WriteAllTextAsync(gate, "open");
            string rest = await reader.ReadToEndAsync();
            Assert.Equal(49, CountOf(rest, "<p>first piece</p>"));
            Assert.Equal(50, CountOf(rest, "<p>second piece</p>"));
        }
        finally
        {
            File.Delete(gate);
        }
        Assert.Equal(0, await host.StopAsync());
    }

    private static int CountOf(string text, string what) => (text.Length - text.Replace(what, "").Length) / what.Length;

    [Fact]
    public async Task StaticFilesAreCompressedWithAWeakETagThatStillRevalidatesAndRangesStayIdentity()
    {
        await using var host = await WsgiHostProcess.RunConfigAsync("compression.conf");
        byte[] file = await File.ReadAllBytesAsync(Path.Combine(WsgiHostProcess.TestAppsDirectory, "compress-static", "site.css"));

        using HttpResponseMessage identity = await GetAsync(host, "/static/site.css", acceptEncoding: null);
        string strong = identity.Headers.ETag!.ToString();
        Assert.False(identity.Headers.ETag.IsWeak);

        using HttpResponseMessage gzipped = await GetAsync(host, "/static/site.css", "gzip");
        Assert.Equal("gzip", Encoding(gzipped));
        Assert.Equal(file, Gunzip(await gzipped.Content.ReadAsByteArrayAsync()));
        // Not the identity's strong validator (other bytes), but weakly the same resource.
        Assert.Equal("W/" + strong, gzipped.Headers.ETag!.ToString());

        using HttpResponseMessage revalidated = await GetAsync(host, "/static/site.css", "gzip", null, ("If-None-Match", "W/" + strong));
        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);

        using HttpResponseMessage range = await GetAsync(host, "/static/site.css", "gzip", null, ("Range", "bytes=0-99"));
        Assert.Equal(HttpStatusCode.PartialContent, range.StatusCode);
        Assert.Equal("", Encoding(range)); // a range is of the identity body
        Assert.Equal(file[..100], await range.Content.ReadAsByteArrayAsync());
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task AStaticFileIsCompressedOncePerVersionAndAChangedFileIsNeverServedStale()
    {
        string scratch = Directory.CreateTempSubdirectory("wsgihost-scratch-").FullName;
        try
        {
            string path = Path.Combine(scratch, "app.css");
            string first = string.Concat(Enumerable.Range(0, 300).Select(i => $".a{i} {{ color: #{i:x3}; }}\n"));
            await File.WriteAllTextAsync(path, first);
            int port = WsgiHostProcess.FreePort();
            await using var host = await WsgiHostProcess.RunAsync(Path.Combine(WsgiHostProcess.TestAppsDirectory, "configs", "compression.conf"), port,
                new Dictionary<string, string> { ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture), ["SCRATCH"] = scratch });

            async Task<(string Body, string ETag)> Fetch()
            {
                using HttpResponseMessage response = await GetAsync(host, "/scratch/app.css", "gzip");
                Assert.Equal("gzip", Encoding(response));
                return (System.Text.Encoding.UTF8.GetString(Gunzip(await response.Content.ReadAsByteArrayAsync())), response.Headers.ETag!.ToString());
            }
            var one = await Fetch();
            var again = await Fetch(); // from the cache: the same bytes, the same validator
            Assert.Equal(first, one.Body);
            Assert.Equal(one, again);
            await host.WaitForOutputAsync($" /scratch/app.css "); // logged with its notes, the file's length as the input
            Assert.Matches($@"sent 200 (\d+) /scratch/app\.css \1/{System.Text.Encoding.UTF8.GetByteCount(first)} \(\d+%\)", host.Output);

            // A deploy rewrites the file (another size, a later time): the next request has it.
            string second = first.Replace("color", "background-color", StringComparison.Ordinal);
            await File.WriteAllTextAsync(path, second);
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(5));
            var changed = await Fetch();
            Assert.Equal(second, changed.Body);
            Assert.NotEqual(one.ETag, changed.ETag);
            Assert.Equal(0, await host.StopAsync());
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    [Fact]
    public async Task AddOutputFilterCompressesTheFilesWithItsExtensionsOnly()
    {
        await using var host = await WsgiHostProcess.RunConfigAsync("compression.conf");
        byte[] file = await File.ReadAllBytesAsync(Path.Combine(WsgiHostProcess.TestAppsDirectory, "compress-static", "data.json"));
        using HttpResponseMessage json = await GetAsync(host, "/static/data.json", "gzip");
        Assert.Equal("application/json", json.Content.Headers.ContentType?.MediaType);
        Assert.Equal("gzip", Encoding(json));
        Assert.Equal(file, Gunzip(await json.Content.ReadAsByteArrayAsync()));

        // The same type from the app (its file is the .wsgi script) is in no rule: as sent.
        using HttpResponseMessage fromApp = await GetAsync(host, "/app/page?type=application/json", "gzip");
        Assert.Equal("", Encoding(fromApp));
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task HeadGetsTheHeadersOfItsCompressedGetAndTheAppSeesGetUnlessMappingIsOff()
    {
        await using var host = await WsgiHostProcess.RunConfigAsync("compression.conf");
        using HttpResponseMessage head = await GetAsync(host, "/app/page", "gzip", HttpMethod.Head);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal("gzip", Encoding(head));
        Assert.Null(head.Content.Headers.ContentLength);
        // WSGIMapHEADToGET Auto: with an output filter in scope the app runs as for GET, as in mod_wsgi.
        Assert.Equal("GET", head.Headers.GetValues("X-Seen-Method").Single());

        using HttpResponseMessage unmapped = await GetAsync(host, "/app/nohead/page", "gzip", HttpMethod.Head);
        Assert.Equal("HEAD", unmapped.Headers.GetValues("X-Seen-Method").Single());

        using HttpResponseMessage daemon = await GetAsync(host, "/daemon/page", "gzip", HttpMethod.Head);
        Assert.Equal("gzip", Encoding(daemon));
        Assert.Equal("GET", daemon.Headers.GetValues("X-Seen-Method").Single());
        Assert.Equal(0, await host.StopAsync());
    }
}
