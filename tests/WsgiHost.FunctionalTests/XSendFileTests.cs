using System.Net;
using System.Net.Http.Headers;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// mod_xsendfile over real HTTP (tests/apps/configs/xsendfile.conf, tests/apps/xsendfile.wsgi):
/// an app's X-Sendfile answer is sent as the file it names, embedded and in a daemon worker.
/// </summary>
public sealed class XSendFileTests : IDisposable
{
    private const string Report = "private report bytes 0123456789\n";

    private readonly string _root = Directory.CreateTempSubdirectory("wsgihost-xsendfile-").FullName;

    public XSendFileTests()
    {
        Directory.CreateDirectory(Files);
        Directory.CreateDirectory(Spool);
        File.WriteAllText(Path.Combine(Files, "report.bin"), Report);
        File.WriteAllText(Path.Combine(Files, "with space.txt"), "spaced name\n");
        File.WriteAllText(Path.Combine(_root, "outside.txt"), "not to be sent\n");
    }

    private string Files => Path.Combine(_root, "files");

    private string Spool => Path.Combine(_root, "spool");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private Task<WsgiHostProcess> StartAsync()
    {
        int port = WsgiHostProcess.FreePort();
        return WsgiHostProcess.RunAsync(Path.Combine(WsgiHostProcess.TestAppsDirectory, "configs", "xsendfile.conf"), port,
            new Dictionary<string, string> { ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture), ["FILES"] = Files, ["SPOOL"] = Spool });
    }

    [Theory]
    [InlineData("/app")]
    [InlineData("/daemon")]
    public async Task TheNamedFileReplacesTheAppsBodyWithTheAppsOtherHeaders(string mount)
    {
        await using var host = await StartAsync();

        using HttpResponseMessage response = await host.Client.GetAsync($"{mount}/send?{Files}/report.bin");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Report, await response.Content.ReadAsStringAsync());
        Assert.Equal(Report.Length, response.Content.Headers.ContentLength);
        Assert.Equal("application/x-report", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.False(response.Headers.Contains("X-Sendfile"));
        Assert.NotNull(response.Headers.ETag);
        Assert.NotNull(response.Content.Headers.LastModified);

        // As a static file: revalidation and ranges.
        using var revalidate = new HttpRequestMessage(HttpMethod.Get, $"{mount}/send?{Files}/report.bin");
        revalidate.Headers.IfNoneMatch.Add(response.Headers.ETag!);
        using HttpResponseMessage notModified = await host.Client.SendAsync(revalidate);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        using var range = new HttpRequestMessage(HttpMethod.Get, $"{mount}/send?{Files}/report.bin");
        range.Headers.Range = new RangeHeaderValue(8, 13);
        using HttpResponseMessage partial = await host.Client.SendAsync(range);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal("report", await partial.Content.ReadAsStringAsync());
        using var beyond = new HttpRequestMessage(HttpMethod.Get, $"{mount}/send?{Files}/report.bin");
        beyond.Headers.Range = new RangeHeaderValue(1000, 2000);
        using HttpResponseMessage unsatisfiable = await host.Client.SendAsync(beyond);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, unsatisfiable.StatusCode);
        Assert.Equal($"bytes */{Report.Length}", unsatisfiable.Content.Headers.ContentRange?.ToString());
        Assert.Null(unsatisfiable.Content.Headers.ContentDisposition);   // the server's page, not the download

        // The daemon worker's dropped body was read off its connection: the next request on it works.
        using HttpResponseMessage next = await host.Client.GetAsync($"{mount}/send?{Files}/with%20space.txt");
        Assert.Equal("spaced name\n", await next.Content.ReadAsStringAsync());
        Assert.Equal(0, await host.StopAsync());
    }

    [Theory]
    [InlineData("/app")]
    [InlineData("/daemon")]
    public async Task FilesOutsideTheAllowedFoldersAreNotFoundAndLoggedWithTheFix(string mount)
    {
        await using var host = await StartAsync();

        using HttpResponseMessage outside = await host.Client.GetAsync($"{mount}/send?{_root}/outside.txt");
        using HttpResponseMessage climbing = await host.Client.GetAsync($"{mount}/send?{Files}/../outside.txt");
        using HttpResponseMessage missing = await host.Client.GetAsync($"{mount}/send?{Files}/nothing-here.bin");
        using HttpResponseMessage encodedSlash = await host.Client.GetAsync($"{mount}/send?{Files}%2Freport.bin");

        foreach (HttpResponseMessage refused in new[] { outside, climbing, missing })
        {
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
            string page = await refused.Content.ReadAsStringAsync();
            Assert.DoesNotContain("not to be sent", page, StringComparison.Ordinal);
            // The server's error page, not the app's download headers.
            Assert.Null(refused.Content.Headers.ContentDisposition);
        }
        Assert.Equal(HttpStatusCode.InternalServerError, encodedSlash.StatusCode);
        await host.WaitForLogAsync($"{_root}/outside.txt is neither in the script's folder");
        await host.WaitForLogAsync("add 'XSendFilePath DIR'");
        await host.WaitForLogAsync("bad file name encoding");
        Assert.Equal(0, await host.StopAsync());
    }

    [Theory]
    [InlineData("/app")]
    [InlineData("/daemon")]
    public async Task FlasksXSendFileResponseWithTheFilesLengthAndNoBodyIsNoTruncation(string mount)
    {
        await using var host = await StartAsync();

        using HttpResponseMessage response = await host.Client.GetAsync($"{mount}/declared?{Files}/report.bin");
        using HttpResponseMessage off = await host.Client.GetAsync($"/off/declared?{Files}/report.bin", HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Report, await response.Content.ReadAsStringAsync());
        // Where XSendFile is Off the same response is what it says: truncated, and logged so.
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => off.Content.ReadAsStringAsync());
        string log = await host.WaitForLogAsync("Truncated response");
        Assert.Single(log.Split('\n'), line => line.Contains("Truncated response", StringComparison.Ordinal));
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task ARelativeNameIsTakenInTheScriptsFolder()
    {
        await using var host = await StartAsync();

        using HttpResponseMessage response = await host.Client.GetAsync("/app/send?xsendfile.wsgi");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(await File.ReadAllTextAsync(WsgiHostProcess.App("xsendfile.wsgi")), await response.Content.ReadAsStringAsync());
        Assert.Equal(0, await host.StopAsync());
    }

    [Theory]
    [InlineData("/app")]
    [InlineData("/daemon")]
    public async Task ATemporaryFileIsDeletedOnceSentAndOnlyFromAFolderThatAllowsIt(string mount)
    {
        await using var host = await StartAsync();
        string generated = Path.Combine(Spool, "export.csv");
        await File.WriteAllTextAsync(generated, "id,total\n1,42\n");

        using HttpResponseMessage sent = await host.Client.GetAsync($"{mount}/temporary?{generated}");
        using HttpResponseMessage refused = await host.Client.GetAsync($"{mount}/temporary?{Files}/report.bin");

        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        Assert.Equal("id,total\n1,42\n", await sent.Content.ReadAsStringAsync());
        Assert.False(File.Exists(generated));
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.True(File.Exists(Path.Combine(Files, "report.bin")));
        await host.WaitForLogAsync("XSendFilePath DIR AllowFileDelete");
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task TheAppsValidatorsAreKeptUnlessTheScopeIgnoresThem()
    {
        await using var host = await StartAsync();

        using HttpResponseMessage kept = await host.Client.GetAsync($"/app/validators?{Files}/report.bin");
        using var revalidate = new HttpRequestMessage(HttpMethod.Get, $"/app/validators?{Files}/report.bin");
        revalidate.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"release-7\""));
        using HttpResponseMessage notModified = await host.Client.SendAsync(revalidate);
        using HttpResponseMessage ignored = await host.Client.GetAsync($"/plain/validators?{Files}/report.bin");

        Assert.Equal("\"release-7\"", kept.Headers.ETag?.Tag);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero), kept.Content.Headers.LastModified);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(Report, await ignored.Content.ReadAsStringAsync());
        Assert.NotEqual("\"release-7\"", ignored.Headers.ETag?.Tag);
        Assert.NotEqual(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero), ignored.Content.Headers.LastModified);
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task UnescapeOffTakesTheNameAsWritten()
    {
        File.WriteAllText(Path.Combine(Files, "100%25.txt"), "literal percent\n");
        await using var host = await StartAsync();

        using HttpResponseMessage plain = await host.Client.GetAsync($"/plain/send?{Files}/100%25.txt");
        using HttpResponseMessage decoded = await host.Client.GetAsync($"/app/send?{Files}/with%20space.txt");

        Assert.Equal("literal percent\n", await plain.Content.ReadAsStringAsync());
        Assert.Equal("spaced name\n", await decoded.Content.ReadAsStringAsync());
        Assert.Equal(0, await host.StopAsync());
    }

    [Theory]
    [InlineData("/off/send", HttpStatusCode.OK, "the body the app wrote")]        // XSendFile Off: the header goes to the client
    [InlineData("/app/missing", HttpStatusCode.NotFound, "no such report")]       // only a 200 is replaced
    [InlineData("/daemon/missing", HttpStatusCode.NotFound, "no such report")]
    public async Task OtherwiseTheAppsResponseGoesOutAsItWrote(string path, HttpStatusCode status, string body)
    {
        await using var host = await StartAsync();

        using HttpResponseMessage response = await host.Client.GetAsync($"{path}?{Files}/report.bin");

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(body, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal($"{Files}/report.bin", Assert.Single(response.Headers.GetValues("X-Sendfile")));
        Assert.Equal(0, await host.StopAsync());
    }

    [Theory]
    [InlineData("/app")]
    [InlineData("/daemon")]
    public async Task ABodyFromFileWrapperIsDroppedAndHeadSendsNoBody(string mount)
    {
        await using var host = await StartAsync();

        using HttpResponseMessage wrapped = await host.Client.GetAsync($"{mount}/wrapper?{Files}/report.bin");
        using HttpResponseMessage head = await host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"{mount}/send?{Files}/report.bin"));

        Assert.Equal(Report, await wrapped.Content.ReadAsStringAsync());
        Assert.Equal("text/plain", wrapped.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(Report.Length, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal(0, await host.StopAsync());
    }
}
