using Microsoft.AspNetCore.Http;
using WsgiHost.Configuration.Model;
using WsgiHost.Routing;
using WsgiHost.Server;
using WsgiHost.Tests.Configuration.Directives;

namespace WsgiHost.Tests.Routing;

/// <summary>The mod_rewrite redirects of real sites' configs (certbot's above all), read and run against requests.</summary>
public sealed class RewriteTests
{
    private static RewriteRules Rules(string lines) => new(SiteText.Clean("Listen 80\nServerName example.com\n" + lines).MainServer.RewriteRules);

    private static (int Status, string? Location)? Run(RewriteRules rules, string host, string path, string query = "", bool https = false)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Host = host;
        context.Request.IsHttps = https;
        context.Request.Method = "GET";
        context.Request.Protocol = "HTTP/1.1";
        RedirectAnswer? answer = rules.Apply(path, query, new RewriteRequestVariables(context, "example.com", path, query));
        return answer is { } a ? (a.Status, a.Location) : null;
    }

    /// <summary>What certbot --apache writes into the port-80 virtual host.</summary>
    private const string Certbot = """
        RewriteEngine on
        RewriteCond %{SERVER_NAME} =www.example.com [OR]
        RewriteCond %{SERVER_NAME} =example.com
        RewriteRule ^ https://%{SERVER_NAME}%{REQUEST_URI} [END,NE,R=permanent]
        """;

    [Fact]
    public void CertbotsRedirectSendsBothNamesToHttpsWithPathAndQuery()
    {
        var rules = Rules(Certbot);

        Assert.Equal((301, "https://example.com/shop/basket?item=3"), Run(rules, "example.com", "/shop/basket", "item=3"));
        Assert.Equal((301, "https://www.example.com/"), Run(rules, "www.example.com:80", "/"));
        Assert.Null(Run(rules, "other.example.org", "/"));
    }

    [Fact]
    public void HttpsOffAndTheWwwRuleWithAConditionsGroup()
    {
        var rules = Rules("""
            RewriteEngine On
            RewriteCond %{HTTP_HOST} ^www\.(.+)$ [NC]
            RewriteRule ^/(.*)$ https://%1/$1 [R=301,L]
            RewriteCond %{HTTPS} off
            RewriteRule ^(.*)$ https://%{HTTP_HOST}$1 [R=302,L]
            """);

        Assert.Equal((301, "https://example.com/a/b"), Run(rules, "WWW.example.com", "/a/b"));
        Assert.Equal((302, "https://example.com/a%20b"), Run(rules, "example.com", "/a b"));
        Assert.Null(Run(rules, "example.com", "/a", https: true));
    }

    [Fact]
    public void QueryStringsFollowOrAreReplacedOrJoined()
    {
        Assert.Equal((302, "https://x.test/new?a=1"), Run(Rules("RewriteEngine On\nRewriteRule ^/old$ https://x.test/new [R]"), "example.com", "/old", "a=1"));
        Assert.Equal((302, "https://x.test/new?b=2"), Run(Rules("RewriteEngine On\nRewriteRule ^/old$ https://x.test/new?b=2 [R]"), "example.com", "/old", "a=1"));
        Assert.Equal((302, "https://x.test/new?b=2&a=1"), Run(Rules("RewriteEngine On\nRewriteRule ^/old$ https://x.test/new?b=2 [R,QSA]"), "example.com", "/old", "a=1"));
        Assert.Equal((302, "https://x.test/new"), Run(Rules("RewriteEngine On\nRewriteRule ^/old$ https://x.test/new? [R]"), "example.com", "/old", "a=1"));
        Assert.Equal((302, "https://x.test/new"), Run(Rules("RewriteEngine On\nRewriteRule ^/old$ https://x.test/new [R,QSD]"), "example.com", "/old", "a=1"));
    }

    [Fact]
    public void ForbiddenGonePassAndNegation()
    {
        var rules = Rules("""
            RewriteEngine On
            RewriteRule ^/static/ - [L]
            RewriteCond %{HTTP_USER_AGENT} badbot [NC]
            RewriteRule . - [F]
            RewriteRule ^/retired - [G]
            RewriteRule !^/(static|app)/ https://example.com/app/ [R=303]
            """);

        Assert.Null(Run(rules, "example.com", "/static/retired"));
        Assert.Equal((410, null), Run(rules, "example.com", "/retired/x"));
        Assert.Equal((303, "https://example.com/app/"), Run(rules, "example.com", "/elsewhere"));
        Assert.Null(Run(rules, "example.com", "/app/x"));
    }

    [Fact]
    public void RulesApplyOnlyWithTheEngineOnAndAVirtualHostDoesNotInheritTheMainServers()
    {
        Assert.True(new RewriteRules(SiteText.Config("Listen 80\nRewriteRule ^ https://x.test/ [R]").MainServer.RewriteRules).IsEmpty);
        SiteText.Warning("Listen 80\nRewriteRule ^ https://x.test/ [R]").At(2, "RewriteRule");
        var config = SiteText.Clean("Listen 80\nRewriteEngine On\nRewriteRule ^ https://x.test/ [R]\n<VirtualHost *:80>\nServerName v.test\n</VirtualHost>");
        Assert.Single(config.MainServer.RewriteRules);
        Assert.Empty(config.VirtualHosts[0].RewriteRules);
    }

    [Fact]
    public void RewriteOptionsInheritTakesTheMainServersRulesAfterOrBefore()
    {
        const string Main = "Listen 80\nRewriteEngine On\nRewriteRule ^/a https://main.test/ [R]\n";
        var after = SiteText.Clean(Main + "<VirtualHost *:80>\nServerName v.test\nRewriteEngine On\nRewriteOptions Inherit\nRewriteRule ^/a https://vhost.test/ [R]\n</VirtualHost>");
        var before = SiteText.Clean(Main + "<VirtualHost *:80>\nServerName v.test\nRewriteEngine On\nRewriteOptions InheritBefore\nRewriteRule ^/a https://vhost.test/ [R]\n</VirtualHost>");

        Assert.Equal((302, "https://vhost.test/"), Run(new RewriteRules(after.VirtualHosts[0].RewriteRules), "v.test", "/a"));
        Assert.Equal((302, "https://main.test/"), Run(new RewriteRules(before.VirtualHosts[0].RewriteRules), "v.test", "/a"));
        Assert.Equal(2, after.VirtualHosts[0].RewriteRules.Count);
        SiteText.Error("Listen 80\nRewriteOptions Inherit").At(2, "RewriteOptions");
        SiteText.Error("Listen 80\n<VirtualHost *:80>\nRewriteOptions MergeBase\n</VirtualHost>").At(3, "RewriteOptions");
    }

    [Theory]
    [InlineData("RewriteRule ^/old /new", "RewriteRule", "rewrites the URL inside the server")]
    [InlineData("RewriteRule ^/old /new [PT]", "RewriteRule", "the flag 'PT' is not supported by WsgiHost")]
    [InlineData("RewriteRule ^/old https://x.test/ [R=404]", "RewriteRule", "'R=404' is not a redirect status")]
    [InlineData("RewriteCond %{REQUEST_FILENAME} !-f", "RewriteCond", "(file tests and comparisons) is not supported")]
    [InlineData("RewriteCond %{TIME_HOUR} ^0", "RewriteCond", "%{TIME_HOUR} is not a variable")]
    [InlineData("RewriteRule ^/(old https://x.test/ [R]", "RewriteRule", "is not a valid regular expression")]
    [InlineData("RewriteRule .* - [E=!HTTP_AUTHORIZATION]", "RewriteRule", "the flag 'E=!HTTP_AUTHORIZATION' is not supported: WsgiHost sets variables with E=VAR:VALUE (or E=VAR), and does not unset them")]
    public void WhatIsNotRunIsAnErrorWithTheLine(string line, string directive, string message)
    {
        var error = SiteText.Error("Listen 80\nRewriteEngine On\n" + line);

        error.At(3, directive);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EFlagsOfTheRulesThatMatchSetVariablesInOrderWithTheirGroupsExpanded()
    {
        var rules = Rules("""
            RewriteEngine On
            RewriteCond %{HTTP:Authorization} ^(.*)
            RewriteRule .* - [e=HTTP_AUTHORIZATION:%1]
            RewriteRule ^/api/(v\d+)/ - [E=API_VERSION:$1,ENV=API]
            RewriteRule ^/never - [E=NEVER:1]
            """);
        var context = new DefaultHttpContext();
        context.Request.Headers.Authorization = "Basic YTpi";
        var set = new List<KeyValuePair<string, string?>>();

        Assert.True(rules.SetsVariables);
        Assert.Null(rules.Apply("/api/v2/items", "", new RewriteRequestVariables(context, "example.com", "/api/v2/items", ""), set));
        Assert.Equal([new("HTTP_AUTHORIZATION", "Basic YTpi"), new("API_VERSION", "v2"), new("API", "")], set);
        Assert.False(Rules("RewriteEngine On\nRewriteRule ^/old https://x.test/ [R]").SetsVariables);
    }
}
