using WsgiHost.Configuration.Model;
using WsgiHost.Routing;

namespace WsgiHost.Tests.Routing;

public sealed class RequestTargetTests
{
    [Theory]
    [InlineData("/", "/")]
    [InlineData("/a/b", "/a/b")]
    [InlineData("//a///b//", "/a/b/")]
    [InlineData("/a/./b/../c", "/a/c")]
    [InlineData("/a/b/..", "/a/")]
    [InlineData("/a/.", "/a/")]
    [InlineData("/caf%C3%A9", "/caf\u00c3\u00a9")]
    [InlineData("/a%20b", "/a b")]
    [InlineData("/%2e%2e/x", "/x")] // decoded before resolving, as Apache; /.. at the root then climbs
    public void PathsAreDecodedMergedAndResolved(string raw, string expected)
    {
        var t = RequestTarget.Parse(raw);
        if (raw == "/%2e%2e/x")
        {
            Assert.Equal(400, t.ErrorStatus);
            return;
        }
        Assert.True(t.IsValid, t.Error);
        Assert.Equal(expected, t.Path);
    }

    /// <summary>Each decodes once, and only a real "." or ".." segment (after decoding) is one.</summary>
    [Theory]
    [InlineData("/public/%2E%2e/secret", "/secret")]
    [InlineData("/public/.%2e/secret", "/secret")]
    [InlineData("/a/%2e/b", "/a/b")]
    [InlineData("/%70rivate/x", "/private/x")]
    [InlineData("/public/%252e%252e/x", "/public/%2e%2e/x")]
    [InlineData("/public/%252e%252e%252fx", "/public/%2e%2e%2fx")]
    [InlineData("/public/..%5csecret", "/public/..\\secret")]
    [InlineData("/public/..\\secret", "/public/..\\secret")]
    [InlineData("/public/%c0%ae%c0%ae/x", "/public/\u00c0\u00ae\u00c0\u00ae/x")]
    [InlineData("/public/..;/x", "/public/..;/x")]
    [InlineData("/public/...", "/public/...")]
    [InlineData("/private%3b/x", "/private;/x")]
    public void EncodedTricksAreOrdinaryCharactersAfterOneDecoding(string raw, string expected)
    {
        var t = RequestTarget.Parse(raw);

        Assert.True(t.IsValid, t.Error);
        Assert.Equal(expected, t.Path);
    }

    [Theory]
    [InlineData("/public/..%2fsecret", 404)]
    [InlineData("/public/%2e%2e%2Fsecret", 404)]
    [InlineData("/private%2fx", 404)]
    [InlineData("/x%00", 404)]
    [InlineData("/public/%2e%2e/%2e%2e/secret", 400)]
    [InlineData("//..//x", 400)]
    public void EncodedSeparatorsAndClimbsAreRefused(string raw, int status) =>
        Assert.Equal(status, RequestTarget.Parse(raw).ErrorStatus);

    [Fact]
    public void TheQueryIsKeptRaw()
    {
        var t = RequestTarget.Parse("/p%41th?a=%20b&c");
        Assert.Equal("/pAth", t.Path);
        Assert.Equal("/p%41th", t.RawPath);
        Assert.Equal("a=%20b&c", t.RawQuery);
    }

    [Theory]
    [InlineData("/a%2Fb", 404)]
    [InlineData("/a%00b", 404)]
    [InlineData("/a%zzb", 400)]
    [InlineData("/a%4", 400)]
    [InlineData("/../etc", 400)]
    [InlineData("nonsense", 400)]
    public void BadPathsAreRefusedWithApachesStatus(string raw, int status) =>
        Assert.Equal(status, RequestTarget.Parse(raw).ErrorStatus);

    [Theory]
    [InlineData("On", "/api/a%2Fb%2fc", "/api/a/b/c")]
    [InlineData("NoDecode", "/api/a%2Fb%2fc%20d", "/api/a%2Fb%2fc d")]
    [InlineData("NoDecode", "/api/..%2F..%2Fetc", "/api/..%2F..%2Fetc")]
    [InlineData("On", "/api/x/..%2fy", "/api/y")]
    public void AllowEncodedSlashesDecidesWhatAnEncodedSlashBecomes(string slashes, string raw, string expected)
    {
        var t = RequestTarget.Parse(raw, Enum.Parse<EncodedSlashes>(slashes));

        Assert.True(t.IsValid, t.Error);
        Assert.Equal(expected, t.Path);
    }

    [Theory]
    [InlineData("Off", "/a%2Fb", 404)]
    [InlineData("On", "/a%00b", 404)]
    [InlineData("NoDecode", "/a%00b", 404)]
    [InlineData("On", "/a/..%2F..%2Fetc", 400)]
    public void AnEncodedNulIsRefusedWhateverAllowEncodedSlashesSaysAndSoIsAClimbAboveTheRoot(string slashes, string raw, int status) =>
        Assert.Equal(status, RequestTarget.Parse(raw, Enum.Parse<EncodedSlashes>(slashes)).ErrorStatus);

    [Theory]
    [InlineData("/a//b///c", true, "/a/b/c")]
    [InlineData("/a//b///c", false, "/a//b///c")]
    [InlineData("//a//../b", false, "//a/b")]
    [InlineData("/a/./b//", false, "/a/b//")]
    public void MergeSlashesOffKeepsEmptySegmentsAndStillResolvesDotSegments(string raw, bool merge, string expected)
    {
        var t = RequestTarget.Parse(raw, EncodedSlashes.Off, merge);

        Assert.True(t.IsValid, t.Error);
        Assert.Equal(expected, t.Path);
    }

    [Fact]
    public void AbsoluteFormKeepsOnlyPathAndQuery()
    {
        var t = RequestTarget.Parse("http://example.com:8080/x/y?q=1");
        Assert.Equal("/x/y", t.Path);
        Assert.Equal("q=1", t.RawQuery);
        Assert.Equal("/", RequestTarget.Parse("http://example.com").Path);
    }
}
