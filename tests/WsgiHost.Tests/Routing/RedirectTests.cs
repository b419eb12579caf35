using WsgiHost.Configuration.Model;
using WsgiHost.Routing;
using WsgiHost.Tests.Configuration.Directives;

namespace WsgiHost.Tests.Routing;

/// <summary>mod_alias's Redirect family read from a config and matched against request paths.</summary>
public sealed class RedirectTests
{
    private static RedirectMatcher Matcher(string lines)
    {
        SiteConfig config = SiteText.Clean("Listen 80\n" + lines);
        return RedirectMatcher.ForScope(config.MainServer, config.MainServer);
    }

    [Fact]
    public void TheWholeSiteMovesToHttpsWithItsPathAndQuery()
    {
        var matcher = Matcher("Redirect permanent / https://example.com/");

        var answer = matcher.Match("/shop/basket", "item=3")!.Value;

        Assert.Equal((301, "https://example.com/shop/basket?item=3"), (answer.Status, answer.Location));
        Assert.Equal("https://example.com/", matcher.Match("/", "")!.Value.Location);
    }

    [Fact]
    public void APrefixCoversWholeSegmentsOnlyAndTheRestIsEscapedAgain()
    {
        var matcher = Matcher("Redirect /docs https://docs.example.com/v2");

        Assert.Equal((302, "https://docs.example.com/v2/a%20b/%C3%A9t%C3%A9"), (matcher.Match("/docs/a b/été", "")!.Value.Status, matcher.Match("/docs/a b/été", "")!.Value.Location));
        Assert.Equal("https://docs.example.com/v2", matcher.Match("/docs", "")!.Value.Location);
        Assert.Null(matcher.Match("/docsets", ""));
    }

    [Fact]
    public void RedirectMatchSubstitutesGroupsAndKeepsTheTargetsQuery()
    {
        var matcher = Matcher(@"RedirectMatch 301 ^/blog/(\d+)/(.*)$ https://blog.example.com/posts/$1?slug=$2");

        var answer = matcher.Match("/blog/42/hello world", "utm=x")!.Value;

        // The path is escaped; the target's own query string stays, and the request's is not added.
        Assert.Equal((301, "https://blog.example.com/posts/42?slug=hello world"), (answer.Status, answer.Location));
        Assert.Null(matcher.Match("/blog/latest", ""));
    }

    [Fact]
    public void StatusWordsNumbersAndGone()
    {
        var matcher = Matcher("""
            Redirect gone /retired
            Redirect seeother /form /thanks
            Redirect 308 /api/v1 /api/v2
            RedirectPermanent /old /new
            RedirectTemp /soon /later
            """);

        Assert.Equal((410, null), Pair(matcher.Match("/retired/page", "")));
        Assert.Equal((303, "/thanks"), Pair(matcher.Match("/form", "")));
        Assert.Equal((308, "/api/v2/users?page=2"), Pair(matcher.Match("/api/v1/users", "page=2")));
        Assert.Equal((301, "/new/x"), Pair(matcher.Match("/old/x", "")));
        Assert.Equal((302, "/later"), Pair(matcher.Match("/soon", "")));
    }

    [Fact]
    public void TheFirstRedirectThatMatchesWinsAndAVirtualHostsComeBeforeTheMainServers()
    {
        SiteConfig config = SiteText.Clean("Listen 80\nRedirect /a /main\n<VirtualHost *:80>\nServerName v.test\nRedirect /a/b /vhost-b\nRedirect /a /vhost-a\n</VirtualHost>");
        var matcher = RedirectMatcher.ForScope(config.VirtualHosts[0], config.MainServer);

        Assert.Equal("/vhost-b", matcher.Match("/a/b", "")!.Value.Location);
        Assert.Equal("/vhost-a/c", matcher.Match("/a/c", "")!.Value.Location);
    }

    private static (int, string?) Pair(RedirectAnswer? answer) => (answer!.Value.Status, answer.Value.Location);

    [Theory]
    [InlineData("Redirect permanent /", "a 301 redirect needs the URL to send the client to")]
    [InlineData("Redirect gone /old https://example.com/", "status 410 is not a redirect, so it takes no URL")]
    [InlineData("Redirect sometimes /a /b", "'sometimes' is not a redirect status")]
    [InlineData("Redirect old https://example.com/", "the URL path 'old' must start with '/'")]
    [InlineData("Redirect /a example.com/b", "'example.com/b' is not a URL")]
    public void BadRedirectsAreErrorsWithAFix(string line, string message)
    {
        var error = SiteText.Error("Listen 80\n" + line);

        error.At(2, "Redirect");
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void ARedirectInASectionIsRefusedWithItsLine()
    {
        SiteText.Error("Listen 80\n<Location /old>\nRedirect /old /new\n</Location>").At(3, "Redirect");
    }
}
