using System.Net;
using Microsoft.AspNetCore.Http;
using WsgiHost.Configuration.Model;
using WsgiHost.Metadata;
using WsgiHost.Tests.Configuration.Directives;

namespace WsgiHost.Tests.Metadata;

/// <summary>SetEnvIf and BrowserMatch lines read from a config and run against a request, as mod_setenvif runs them.</summary>
public sealed class SetEnvIfTests
{
    private static PerDirSettings Settings(string lines) => SiteText.Clean("Listen 80\n" + lines).MainServer.Defaults;

    private static DefaultHttpContext Request(string path = "/", string method = "GET", params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        context.Request.Protocol = "HTTP/1.1";
        context.Connection.RemoteIpAddress = IPAddress.Parse("10.1.2.3");
        context.Connection.LocalIpAddress = IPAddress.Parse("127.0.0.1");
        foreach (var (name, value) in headers)
        {
            context.Request.Headers[name] = value;
        }
        return context;
    }

    private static IReadOnlyList<KeyValuePair<string, string>> Run(string lines, DefaultHttpContext context)
    {
        PerDirSettings settings = Settings(lines);
        return RequestVariables.Fold(SetEnvIfEvaluation.Evaluate(settings.SetEnvIf, context, context.Request.Path.Value!, settings.SetEnv));
    }

    [Fact]
    public void AProxyHeaderSetsHttpsAsBehindALoadBalancer()
    {
        const string Line = "SetEnvIf X-Forwarded-Proto ^https$ HTTPS=on";

        Assert.Equal([new("HTTPS", "on")], Run(Line, Request(headers: ("X-Forwarded-Proto", "https"))));
        Assert.Empty(Run(Line, Request(headers: ("X-Forwarded-Proto", "http"))));
        Assert.Empty(Run(Line, Request()));
    }

    [Fact]
    public void SpecialAttributesAreTheRequestsOwn()
    {
        const string Lines = """
            SetEnvIf Remote_Addr ^10\. internal
            SetEnvIf Server_Addr ^127\. local_server
            SetEnvIf Request_Method ^POST$ posting
            SetEnvIf request_uri ^/health$ dontlog
            SetEnvIf Request_Protocol ^HTTP/1\.1$ http11
            """;

        var variables = Run(Lines, Request("/health", "POST"));

        Assert.Equal(["internal", "local_server", "posting", "dontlog", "http11"], variables.Select(v => v.Key));
        Assert.All(variables, v => Assert.Equal("1", v.Value));
        Assert.Equal(["internal", "local_server", "http11"], Run(Lines, Request("/healthz", "GET")).Select(v => v.Key));
    }

    [Fact]
    public void NoCaseLinesIgnoreCaseAndCaseSensitiveOnesDoNot()
    {
        Assert.Equal([new("no-gzip", "1"), new("dont-vary", "1")],
            Run(@"SetEnvIfNoCase Request_URI \.(?:gif|jpe?g|png)$ no-gzip dont-vary", Request("/img/LOGO.PNG")));
        Assert.Empty(Run(@"SetEnvIf Request_URI \.(?:gif|jpe?g|png)$ no-gzip", Request("/img/LOGO.PNG")));
        Assert.Equal([new("is_bot", "1")], Run("BrowserMatchNoCase googlebot is_bot", Request(headers: ("User-Agent", "Mozilla/5.0 (compatible; Googlebot/2.1)"))));
        Assert.Empty(Run("BrowserMatch googlebot is_bot", Request(headers: ("User-Agent", "Mozilla/5.0 (compatible; Googlebot/2.1)"))));
    }

    [Fact]
    public void AMissingHeaderIsEmptySoCaretDollarMatchesIt()
    {
        Assert.Equal([new("no_referer", "1")], Run("SetEnvIf Referer ^$ no_referer", Request()));
        Assert.Empty(Run("SetEnvIf Referer ^$ no_referer", Request(headers: ("Referer", "http://example.com/"))));
    }

    [Fact]
    public void ValuesTakeGroupsAndBangUnsets()
    {
        const string Lines = """
            SetEnvIf Host ^(\w+)\.example\.com$ TENANT=$1 tenant_seen
            SetEnvIf Host ^admin\. !tenant_seen
            """;

        Assert.Equal([new("TENANT", "shop"), new("tenant_seen", "1")], Run(Lines, Request(headers: ("Host", "shop.example.com"))));
        Assert.Equal([new("TENANT", "admin")], Run(Lines, Request(headers: ("Host", "admin.example.com"))));
    }

    [Fact]
    public void ALaterLineTestsAVariableAnEarlierLineSetAndSetEnvWins()
    {
        const string Lines = """
            SetEnvIf User-Agent curl tool=curl
            SetEnvIf tool ^curl$ scripted
            SetEnv tool overridden
            """;

        var variables = Run(Lines, Request(headers: ("User-Agent", "curl/8.0")));

        Assert.Equal([new("tool", "overridden"), new("scripted", "1")], variables);
    }

    [Fact]
    public void AnAttributeThatIsAPatternTestsEveryHeaderWhoseNameMatches()
    {
        Assert.Equal([new("debugging", "1")], Run("SetEnvIf ^X-Debug-.*$ ^on$ debugging", Request(headers: ("X-Debug-Sql", "on"))));
        Assert.Empty(Run("SetEnvIf ^X-Debug-.*$ ^on$ debugging", Request(headers: ("X-Trace", "on"))));
    }

    [Fact]
    public void BadLinesAreErrorsWithTheirLine()
    {
        SiteText.Error("Listen 80\nSetEnvIf Request_URI \"(unclosed\" x").At(2, "SetEnvIf");
        SiteText.Error("Listen 80\nSetEnvIf Request_URI ^/ =value").At(2, "SetEnvIf");
        SiteText.Error("Listen 80\nSetEnvIfExpr \"-R '10.0.0.0/8'\" internal").At(2, "SetEnvIfExpr");
    }

    [Fact]
    public void SectionsAddTheirLinesAfterTheServers()
    {
        var config = SiteText.Clean("Listen 80\nSetEnvIf Request_URI ^/ a=1\n<Location /api>\nSetEnvIf a ^1$ b=2\n</Location>");
        var location = Assert.Single(config.MainServer.Sections);

        var merged = config.MainServer.Defaults.Merge(location.Payload.Settings);

        Assert.Equal(["Request_URI", "a"], merged.SetEnvIf.Select(r => r.Name));
    }
}
