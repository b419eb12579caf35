using System.Text;
using WsgiHost.Configuration.Model;
using WsgiHost.Python.Wsgi;
using WsgiHost.StaticFiles;
using WsgiHost.Tests.Configuration.Directives;

namespace WsgiHost.Tests.StaticFiles;

public sealed class StaticAliasHandlerTests : IDisposable
{
    private const string Digits = "0123456789";
    private readonly StaticSite _site = new();

    public StaticAliasHandlerTests()
    {
        _site.Write("digits.txt", Digits);
        _site.Write("style.css", "body { color: red }");
    }

    public void Dispose() => _site.Dispose();

    /// <summary>Apache's "size-mtime" in hex: 10 bytes, the fixed mtime in microseconds.</summary>
    private static string DigitsETag
    {
        get
        {
            long micros = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1000 + 678_901;
            return $"\"a-{micros:x}\"";
        }
    }

    private Task<Reply> Send(string method, string pathInfo, params (string, string)[] headers) =>
        StaticSite.SendAsync(_site.Handler(), method, pathInfo, "/static" + pathInfo, headers);

    // ---- plain GET / HEAD ------------------------------------------------------------------

    [Fact]
    public async Task GetServesTheFileWithValidatorsAndNoCharset()
    {
        var r = await _site.GetAsync("/style.css");
        Assert.Equal(200, r.Status);
        Assert.Equal("body { color: red }", r.Text);
        Assert.Equal("text/css", r.Header("Content-Type"));
        Assert.Equal("19", r.Header("Content-Length"));
        Assert.Equal(StaticSite.ModifiedHeader, r.Header("Last-Modified"));
        Assert.Equal("bytes", r.Header("Accept-Ranges"));
        Assert.Matches("^\"13-[0-9a-f]+\"$", r.Header("ETag"));
    }

    [Fact]
    public async Task TheETagIsApachesSizeDashMicrosecondsInHex()
    {
        var r = await _site.GetAsync("/digits.txt");
        Assert.Equal(DigitsETag, r.Header("ETag"));
    }

    [Fact]
    public async Task FileETagChoosesThePartsOfTheTagOrNone()
    {
        long micros = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1000 + 678_901;
        var config = SiteText.Clean("Listen 80\nFileETag MTime\n<Location /static/all>\nFileETag All\n</Location>\n"
            + "<Location /static/none>\nFileETag None\n</Location>\n<Location /static/more>\nFileETag +Size +INode -MTime\n</Location>");
        PerDirSettings server = config.MainServer.Defaults;
        PerDirSettings all = server.Merge(config.MainServer.Sections[0].Payload.Settings);
        PerDirSettings none = server.Merge(config.MainServer.Sections[1].Payload.Settings);
        PerDirSettings more = server.Merge(config.MainServer.Sections[2].Payload.Settings);
        string inode = Convert.ToUInt64(Inode(Path.Combine(_site.Root, "digits.txt"))).ToString("x");

        Assert.Equal($"\"{micros:x}\"", (await _site.GetAsync("/digits.txt", server)).Header("ETag"));
        // Apache's order: inode, size, mtime.
        Assert.Equal($"\"{inode}-a-{micros:x}\"", (await _site.GetAsync("/digits.txt", all)).Header("ETag"));
        Assert.Equal($"\"{inode}-a\"", (await _site.GetAsync("/digits.txt", more)).Header("ETag"));
        var untagged = await _site.GetAsync("/digits.txt", none);
        Assert.Equal(200, untagged.Status);
        Assert.Null(untagged.Header("ETag"));
        Assert.Equal(StaticSite.ModifiedHeader, untagged.Header("Last-Modified"));
        // Without a FileETag line: Apache 2.4's default, MTime Size.
        Assert.Equal(DigitsETag, (await _site.GetAsync("/digits.txt", PerDirSettings.Empty)).Header("ETag"));
    }

    [Theory]
    [InlineData("FileETag MTime +Size")]
    [InlineData("FileETag None Size")]
    [InlineData("FileETag Digest")]
    [InlineData("FileETag Bogus")]
    public void AFileETagLineApacheRefusesIsAnError(string line)
    {
        SiteText.Error($"Listen 80\n{line}").At(2, "FileETag");
    }

    private static string Inode(string path)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["--format=%i", path]) { RedirectStandardOutput = true })!;
        string output = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return output;
    }

    [Fact]
    public async Task HeadHasTheSameHeadersAndNoBody()
    {
        var get = await _site.GetAsync("/digits.txt");
        var head = await Send("HEAD", "/digits.txt");
        Assert.Equal(200, head.Status);
        Assert.Empty(head.Body);
        foreach (string name in new[] { "Content-Type", "Content-Length", "ETag", "Last-Modified", "Accept-Ranges" })
        {
            Assert.Equal(get.Header(name), head.Header(name));
        }
        Assert.Equal("10", head.Header("Content-Length"));
    }

    [Fact]
    public async Task AnUnknownExtensionGetsNoContentType()
    {
        _site.Write("data.unknownext", "xyz");
        var r = await _site.GetAsync("/data.unknownext");
        Assert.Equal(200, r.Status);
        Assert.Null(r.Header("Content-Type"));
        Assert.Equal("xyz", r.Text);
    }

    [Fact]
    public async Task AnEmptyFileIsServedWithLengthZero()
    {
        _site.Write("empty.txt", "");
        var r = await _site.GetAsync("/empty.txt", ("Range", "bytes=0-5"));
        Assert.Equal(200, r.Status);
        Assert.Equal("0", r.Header("Content-Length"));
        Assert.Empty(r.Body);
    }

    [Fact]
    public async Task AFileWrittenThisSecondHasAWeakETag()
    {
        File.WriteAllText(Path.Combine(_site.Root, "fresh.txt"), "new");
        var r = await _site.GetAsync("/fresh.txt");
        string etag = r.Header("ETag")!;
        Assert.StartsWith("W/\"3-", etag);
        // Weak comparison still validates a cached copy...
        Assert.Equal(304, (await _site.GetAsync("/fresh.txt", ("If-None-Match", etag))).Status);
        // ...but never a byte range or an If-Match.
        var ranged = await _site.GetAsync("/fresh.txt", ("Range", "bytes=0-0"), ("If-Range", etag));
        Assert.Equal(200, ranged.Status);
        Assert.Equal(412, (await _site.GetAsync("/fresh.txt", ("If-Match", etag))).Status);
    }

    // ---- errors and methods ---------------------------------------------------------------

    [Fact]
    public async Task AMissingFileIs404WithTheServerErrorPage()
    {
        var r = await _site.GetAsync("/missing.css");
        Assert.Equal(404, r.Status);
        Assert.Equal(ErrorPage.ContentType.Value, r.Header("Content-Type"));
        Assert.Equal(ErrorPage.Body(404), r.Body);
        Assert.Equal(r.Body.Length.ToString(), r.Header("Content-Length"));
    }

    [Fact]
    public async Task PathInfoAfterAFileIs404()
    {
        Assert.Equal(404, (await _site.GetAsync("/style.css/extra")).Status);
        Assert.Equal(404, (await _site.GetAsync("/style.css/")).Status);
    }

    [Fact]
    public async Task OptionsAnswersWithAllow()
    {
        var r = await Send("OPTIONS", "/style.css");
        Assert.Equal(200, r.Status);
        Assert.Equal(StaticAliasHandler.Allow, r.Header("Allow"));
        Assert.Equal("0", r.Header("Content-Length"));
        Assert.Empty(r.Body);
    }

    [Fact]
    public async Task PostOnAFileServesItAsApacheDoesAndOnAMissingFileIs404()
    {
        var post = await Send("POST", "/style.css");
        Assert.Equal(200, post.Status);
        Assert.Equal((await Send("GET", "/style.css")).Body, post.Body);
        Assert.Equal(404, (await Send("POST", "/missing.css")).Status);
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("PATCH")]
    public async Task OtherKnownMethodsAre405EvenForMissingFiles(string method)
    {
        Assert.Equal(405, (await Send(method, "/style.css")).Status);
        var missing = await Send(method, "/missing.css");
        Assert.Equal(405, missing.Status);
        Assert.Equal("GET, HEAD, POST, OPTIONS", missing.Header("Allow"));
    }

    [Fact]
    public async Task AnUnknownMethodIs501()
    {
        var r = await Send("BREW", "/style.css");
        Assert.Equal(501, r.Status);
        Assert.Null(r.Header("Allow"));
    }

    [Fact]
    public async Task AnUnreadableFileIs403()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        string path = _site.Write("secret.txt", "no");
        File.SetUnixFileMode(path, UnixFileMode.None);
        if (Environment.UserName == "root" || CanRead(path))
        {
            // root reads anything; the 403 path cannot be provoked with permissions here.
            return;
        }
        var r = await _site.GetAsync("/secret.txt");
        Assert.Equal(403, r.Status);
        Assert.Equal(ErrorPage.Body(403), r.Body);
    }

    private static bool CanRead(string path)
    {
        try
        {
            File.ReadAllBytes(path);
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    // ---- path safety ----------------------------------------------------------------------

    [Theory]
    [InlineData("/../secret.txt")]
    [InlineData("/./../secret.txt")]
    [InlineData("/sub/../../secret.txt")]
    [InlineData("/..")]
    [InlineData("/..\\secret.txt")]
    [InlineData("/digits.txt\0.css")]
    [InlineData("../secret.txt")]
    [InlineData("secret.txt")]
    public async Task PathsThatLeaveTheTargetAre404(string pathInfo)
    {
        _site.WriteOutside("secret.txt", "top secret");
        _site.Write("sub/inner.txt", "inner");
        var r = await _site.GetAsync(pathInfo);
        Assert.Equal(404, r.Status);
        Assert.DoesNotContain("top secret", r.Text);
    }

    [Fact]
    public async Task AFolderNamedLikeTheTargetPlusASuffixIsNotInside()
    {
        // "/site" + "/../site-other/x" is caught by the dot check; the prefix check must also
        // not take "/tmp/x/site-other" as inside "/tmp/x/site".
        _site.WriteOutside("site-other/x.txt", "other");
        var handler = new StaticAliasHandler(_site.Root, StaticSite.Types);
        var r = await StaticSite.SendAsync(handler, "GET", "/../site-other/x.txt", "/static/x", []);
        Assert.Equal(404, r.Status);
    }

    [Fact]
    public async Task SymlinksAreFollowedEvenOutOfTheTarget()
    {
        string outside = _site.WriteOutside("shared.css", "shared");
        File.CreateSymbolicLink(Path.Combine(_site.Root, "link.css"), outside);
        File.CreateSymbolicLink(Path.Combine(_site.Root, "broken.css"), Path.Combine(_site.Parent, "nowhere.css"));
        var r = await _site.GetAsync("/link.css");
        Assert.Equal(200, r.Status);
        Assert.Equal("shared", r.Text);
        Assert.Equal("text/css", r.Header("Content-Type"));
        Assert.Equal(404, (await _site.GetAsync("/broken.css")).Status);
    }

    // ---- directories ----------------------------------------------------------------------

    [Fact]
    public async Task AFolderWithoutTrailingSlashIsRedirectedKeepingTheQuery()
    {
        _site.Write("sub/index.html", "<p>index</p>");
        var r = await StaticSite.SendAsync(_site.Handler(), "GET", "/sub", "/static/sub?a=1&b=%20", []);
        Assert.Equal(301, r.Status);
        Assert.Equal("/static/sub/?a=1&b=%20", r.Header("Location"));
        Assert.Contains("href=\"/static/sub/?a=1&amp;b=%20\"", r.Text);
        Assert.Equal(r.Body.Length.ToString(), r.Header("Content-Length"));
    }

    [Fact]
    public async Task TheAliasRootItselfIsRedirectedToItsSlashForm()
    {
        var r = await StaticSite.SendAsync(_site.Handler(), "GET", "", "/my%20static", []);
        Assert.Equal(301, r.Status);
        Assert.Equal("/my%20static/", r.Header("Location"));
    }

    [Fact]
    public async Task AFolderWithSlashServesItsIndexHtml()
    {
        _site.Write("sub/index.html", "<p>index</p>");
        var r = await _site.GetAsync("/sub/");
        Assert.Equal(200, r.Status);
        Assert.Equal("<p>index</p>", r.Text);
        Assert.Equal("text/html", r.Header("Content-Type"));
        Assert.NotNull(r.Header("ETag"));
    }

    [Fact]
    public async Task DirectoryIndexTriesItsNamesInOrderAndDisabledServesNone()
    {
        _site.Write("a/index.htm", "<p>htm</p>");
        _site.Write("b/index.htm", "<p>htm</p>");
        _site.Write("b/default.html", "<p>default</p>");
        _site.Write("c/index.html", "<p>html</p>");
        // Debian's dir.conf, two lines in one scope (which add up), and a deeper scope that replaces them.
        var config = SiteText.Clean("Listen 80\nDirectoryIndex index.html index.cgi\nDirectoryIndex index.htm\n"
            + "<Location /static/b>\nDirectoryIndex default.html index.htm\n</Location>\n<Location /static/c>\nDirectoryIndex disabled\n</Location>");
        var server = config.MainServer.Defaults;
        var b = server.Merge(config.MainServer.Sections[0].Payload.Settings);
        var c = server.Merge(config.MainServer.Sections[1].Payload.Settings);

        Assert.Equal(["index.html", "index.cgi", "index.htm"], server.DirectoryIndex);
        Assert.Equal("<p>htm</p>", (await _site.GetAsync("/a/", server)).Text);
        Assert.Equal("<p>default</p>", (await _site.GetAsync("/b/", b)).Text);
        Assert.Equal("<p>html</p>", (await _site.GetAsync("/c/", server)).Text);
        Assert.Equal(404, (await _site.GetAsync("/c/", c)).Status);
        // Without a DirectoryIndex line, index.html only, as mod_dir's default.
        Assert.Equal(404, (await _site.GetAsync("/a/", PerDirSettings.Empty)).Status);
    }

    [Fact]
    public async Task AFolderWithoutIndexIs404()
    {
        Directory.CreateDirectory(Path.Combine(_site.Root, "empty"));
        Assert.Equal(404, (await _site.GetAsync("/empty/")).Status);
        Assert.Equal(404, (await _site.GetAsync("/")).Status);
    }

    [Fact]
    public async Task AFileTargetServesOnlyTheAliasUrlItself()
    {
        string robots = _site.Write("robots.txt", "User-agent: *");
        var handler = new StaticAliasHandler(robots, StaticSite.Types);
        var r = await StaticSite.SendAsync(handler, "GET", "", "/robots.txt", []);
        Assert.Equal(200, r.Status);
        Assert.Equal("User-agent: *", r.Text);
        Assert.Equal("text/plain", r.Header("Content-Type"));
        Assert.Equal(404, (await StaticSite.SendAsync(handler, "GET", "/x", "/robots.txt/x", [])).Status);
        Assert.Equal(404, (await StaticSite.SendAsync(handler, "GET", "/", "/robots.txt/", [])).Status);
    }

    [Fact]
    public async Task ATargetCreatedAfterStartupIsServed()
    {
        string later = Path.Combine(_site.Parent, "later");
        var handler = new StaticAliasHandler(later, StaticSite.Types);
        Assert.Equal(404, (await StaticSite.SendAsync(handler, "GET", "/a.txt", "/later/a.txt", [])).Status);
        Directory.CreateDirectory(later);
        File.WriteAllText(Path.Combine(later, "a.txt"), "now here");
        var r = await StaticSite.SendAsync(handler, "GET", "/a.txt", "/later/a.txt", []);
        Assert.Equal(200, r.Status);
        Assert.Equal("now here", r.Text);
    }

    // ---- conditional requests ---------------------------------------------------------------

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task IfNoneMatchWithTheCurrentTagIs304(bool head)
    {
        var r = await Send(head ? "HEAD" : "GET", "/digits.txt", ("If-None-Match", $"\"other\", W/{DigitsETag}"));
        Assert.Equal(304, r.Status);
        Assert.Empty(r.Body);
        Assert.Equal(DigitsETag, r.Header("ETag"));
        Assert.Equal(StaticSite.ModifiedHeader, r.Header("Last-Modified"));
        Assert.Null(r.Header("Content-Length"));
        Assert.Null(r.Header("Content-Type"));
    }

    [Fact]
    public async Task IfNoneMatchStarIs304AndAnotherTagIs200()
    {
        Assert.Equal(304, (await _site.GetAsync("/digits.txt", ("If-None-Match", "*"))).Status);
        var r = await _site.GetAsync("/digits.txt", ("If-None-Match", "\"a-1\""));
        Assert.Equal(200, r.Status);
        Assert.Equal(Digits, r.Text);
    }

    [Fact]
    public async Task IfModifiedSinceIs304WhenNotNewer()
    {
        Assert.Equal(304, (await _site.GetAsync("/digits.txt", ("If-Modified-Since", StaticSite.ModifiedHeader))).Status);
        Assert.Equal(304, (await _site.GetAsync("/digits.txt", ("If-Modified-Since", "Wed, 03 Jan 2024 00:00:00 GMT"))).Status);
        // The obsolete RFC 850 and asctime forms are HTTP-dates too.
        Assert.Equal(304, (await _site.GetAsync("/digits.txt", ("If-Modified-Since", "Tuesday, 02-Jan-24 03:04:05 GMT"))).Status);
        Assert.Equal(200, (await _site.GetAsync("/digits.txt", ("If-Modified-Since", "Tue, 02 Jan 2024 03:04:04 GMT"))).Status);
    }

    [Fact]
    public async Task IfModifiedSinceIsIgnoredWhenInvalidInTheFutureOrUnderIfNoneMatch()
    {
        Assert.Equal(200, (await _site.GetAsync("/digits.txt", ("If-Modified-Since", "yesterday"))).Status);
        string future = DateTimeOffset.UtcNow.AddDays(2).ToString("r");
        Assert.Equal(200, (await _site.GetAsync("/digits.txt", ("If-Modified-Since", future))).Status);
        var r = await _site.GetAsync("/digits.txt", ("If-None-Match", "\"stale\""), ("If-Modified-Since", StaticSite.ModifiedHeader));
        Assert.Equal(200, r.Status);
    }

    [Fact]
    public async Task IfMatchFailsWith412UnlessTheStrongTagOrStarMatches()
    {
        var failed = await _site.GetAsync("/digits.txt", ("If-Match", "\"stale\""));
        Assert.Equal(412, failed.Status);
        Assert.Equal(ErrorPage.Body(412), failed.Body);
        Assert.Equal(412, (await _site.GetAsync("/digits.txt", ("If-Match", "W/" + DigitsETag))).Status);
        Assert.Equal(200, (await _site.GetAsync("/digits.txt", ("If-Match", $"\"x\", {DigitsETag}"))).Status);
        Assert.Equal(200, (await _site.GetAsync("/digits.txt", ("If-Match", "*"))).Status);
    }

    [Fact]
    public async Task IfUnmodifiedSinceFailsWith412WhenTheFileIsNewer()
    {
        Assert.Equal(412, (await _site.GetAsync("/digits.txt", ("If-Unmodified-Since", "Tue, 02 Jan 2024 03:04:04 GMT"))).Status);
        Assert.Equal(200, (await _site.GetAsync("/digits.txt", ("If-Unmodified-Since", StaticSite.ModifiedHeader))).Status);
        // If-Match takes precedence: when present, If-Unmodified-Since is not evaluated.
        var r = await _site.GetAsync("/digits.txt", ("If-Match", DigitsETag), ("If-Unmodified-Since", "Tue, 02 Jan 2024 03:04:04 GMT"));
        Assert.Equal(200, r.Status);
    }

    [Fact]
    public async Task PreconditionFailureWinsOverNotModified()
    {
        var r = await _site.GetAsync("/digits.txt", ("If-Match", "\"stale\""), ("If-None-Match", DigitsETag));
        Assert.Equal(412, r.Status);
    }

    // ---- ranges -----------------------------------------------------------------------------

    [Theory]
    [InlineData("bytes=2-5", "2345", "bytes 2-5/10")]
    [InlineData("bytes=-3", "789", "bytes 7-9/10")]
    [InlineData("bytes=7-", "789", "bytes 7-9/10")]
    [InlineData("bytes=8-500", "89", "bytes 8-9/10")]
    public async Task ASingleRangeIs206WithContentRange(string range, string body, string contentRange)
    {
        var r = await _site.GetAsync("/digits.txt", ("Range", range));
        Assert.Equal(206, r.Status);
        Assert.Equal(body, r.Text);
        Assert.Equal(contentRange, r.Header("Content-Range"));
        Assert.Equal(body.Length.ToString(), r.Header("Content-Length"));
        Assert.Equal("text/plain", r.Header("Content-Type"));
        Assert.Equal(DigitsETag, r.Header("ETag"));
    }

    [Fact]
    public async Task HeadWithARangeHasThe206HeadersAndNoBody()
    {
        var r = await Send("HEAD", "/digits.txt", ("Range", "bytes=2-5"));
        Assert.Equal(206, r.Status);
        Assert.Equal("4", r.Header("Content-Length"));
        Assert.Equal("bytes 2-5/10", r.Header("Content-Range"));
        Assert.Empty(r.Body);
    }

    [Fact]
    public async Task AnUnsatisfiableRangeIs416WithTheSize()
    {
        var r = await _site.GetAsync("/digits.txt", ("Range", "bytes=10-20"));
        Assert.Equal(416, r.Status);
        Assert.Equal("bytes */10", r.Header("Content-Range"));
        Assert.Equal(ErrorPage.Body(416), r.Body);
        Assert.Equal(r.Body.Length.ToString(), r.Header("Content-Length"));
    }

    [Theory]
    [InlineData("bytes=5-2")]
    [InlineData("bytes=x-y")]
    [InlineData("pages=1-2")]
    [InlineData("bytes=-0")]
    public async Task AMalformedRangeIsIgnored(string range)
    {
        var r = await _site.GetAsync("/digits.txt", ("Range", range));
        Assert.Equal(200, r.Status);
        Assert.Equal(Digits, r.Text);
        Assert.Null(r.Header("Content-Range"));
    }

    [Fact]
    public async Task SeveralRangesAreAMultipartByterangesBody()
    {
        var r = await _site.GetAsync("/digits.txt", ("Range", "bytes=0-1,5-6,-1"));
        Assert.Equal(206, r.Status);
        string type = r.Header("Content-Type")!;
        Assert.StartsWith("multipart/byteranges; boundary=", type);
        string boundary = type["multipart/byteranges; boundary=".Length..];
        Assert.Equal(r.Body.Length.ToString(), r.Header("Content-Length"));
        Assert.Null(r.Header("Content-Range"));
        string expected =
            $"\r\n--{boundary}\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-1/10\r\n\r\n01" +
            $"\r\n--{boundary}\r\nContent-Type: text/plain\r\nContent-Range: bytes 5-6/10\r\n\r\n56" +
            $"\r\n--{boundary}\r\nContent-Type: text/plain\r\nContent-Range: bytes 9-9/10\r\n\r\n9" +
            $"\r\n--{boundary}--\r\n";
        Assert.Equal(expected, r.Text);
    }

    [Fact]
    public async Task MultipartPartsOfAnUntypedFileHaveNoContentTypeAndHeadSendsOnlyTheLength()
    {
        _site.Write("blob.unknownext", Digits);
        var get = await _site.GetAsync("/blob.unknownext", ("Range", "bytes=0-0,9-9"));
        Assert.Equal(206, get.Status);
        Assert.DoesNotContain("Content-Type: ", get.Text);
        Assert.Contains("Content-Range: bytes 9-9/10\r\n\r\n9", get.Text);
        var head = await Send("HEAD", "/blob.unknownext", ("Range", "bytes=0-0,9-9"));
        Assert.Equal(get.Header("Content-Length"), head.Header("Content-Length"));
        Assert.Empty(head.Body);
    }

    [Fact]
    public async Task OverlappingRangesAreMergedIntoOne()
    {
        var r = await _site.GetAsync("/digits.txt", ("Range", "bytes=0-3,2-5"));
        Assert.Equal(206, r.Status);
        Assert.Equal("bytes 0-5/10", r.Header("Content-Range"));
        Assert.Equal("012345", r.Text);
    }

    [Fact]
    public async Task IfRangeWithTheCurrentTagOrDateHonoursTheRange()
    {
        var byTag = await _site.GetAsync("/digits.txt", ("Range", "bytes=0-1"), ("If-Range", DigitsETag));
        Assert.Equal(206, byTag.Status);
        Assert.Equal("01", byTag.Text);
        var byDate = await _site.GetAsync("/digits.txt", ("Range", "bytes=0-1"), ("If-Range", StaticSite.ModifiedHeader));
        Assert.Equal(206, byDate.Status);
    }

    [Theory]
    [InlineData("\"a-1\"")]
    [InlineData("Mon, 01 Jan 2024 00:00:00 GMT")]
    [InlineData("Wed, 03 Jan 2024 00:00:00 GMT")]
    [InlineData("garbage")]
    public async Task IfRangeWithAStaleValidatorSendsTheWholeFile(string ifRange)
    {
        var r = await _site.GetAsync("/digits.txt", ("Range", "bytes=0-1"), ("If-Range", ifRange));
        Assert.Equal(200, r.Status);
        Assert.Equal(Digits, r.Text);
        Assert.Equal("10", r.Header("Content-Length"));
    }

    [Fact]
    public async Task ALargeFileIsSentWholeAndInRangesByteExact()
    {
        byte[] data = new byte[300_000];
        new Random(42).NextBytes(data);
        string path = Path.Combine(_site.Root, "big.bin");
        File.WriteAllBytes(path, data);
        File.SetLastWriteTimeUtc(path, StaticSite.Modified);
        var whole = await _site.GetAsync("/big.bin");
        Assert.Equal(data, whole.Body);
        var part = await _site.GetAsync("/big.bin", ("Range", "bytes=100000-200000"));
        Assert.Equal(data.AsSpan(100_000, 100_001).ToArray(), part.Body);
        Assert.Equal("100001", part.Header("Content-Length"));
    }
}
