using WsgiHost.Routing;

namespace WsgiHost.Tests.Routing;

/// <summary>mod_alias's prefix test: whole segments, case-sensitive, runs of slashes equal.</summary>
public sealed class AliasMatcherTests
{
    [Theory]
    [InlineData("/static", "/static", 7)]
    [InlineData("/static", "/static/", 7)]
    [InlineData("/static", "/static/css/a.css", 7)]
    [InlineData("/static/", "/static/x", 8)]
    [InlineData("/static/", "/static/", 8)]
    [InlineData("/", "/", 1)]
    [InlineData("/", "/anything/at/all", 1)]
    [InlineData("/a/b", "/a//b/c", 5)]
    [InlineData("/a//b", "/a/b", 4)]
    [InlineData("/static", "/static//x", 7)]
    public void Matches(string alias, string path, int consumed) => Assert.Equal(consumed, AliasMatcher.Match(alias, path));

    [Theory]
    [InlineData("/static/", "/static")]
    [InlineData("/static", "/staticx")]
    [InlineData("/static", "/static.css")]
    [InlineData("/app", "/application")]
    [InlineData("/static", "/Static/x")]
    [InlineData("/App", "/app")]
    [InlineData("/static", "/")]
    [InlineData("/a/b", "/a")]
    [InlineData("/a/b", "/ab")]
    public void DoesNotMatch(string alias, string path) => Assert.Equal(-1, AliasMatcher.Match(alias, path));
}
