using Microsoft.AspNetCore.Http;
using WsgiHost.Configuration.Model;
using WsgiHost.Metadata;
using WsgiHost.Tests.Configuration.Directives;

namespace WsgiHost.Tests.Metadata;

/// <summary>Header and RequestHeader lines read from a config and applied to headers, as mod_headers applies them.</summary>
public sealed class HeaderDirectiveTests
{
    private static PerDirSettings Settings(string lines) => SiteText.Clean("Listen 80\n" + lines).MainServer.Defaults;

    /// <summary>The response headers after the config's Header lines ran over <paramref name="initial"/>.</summary>
    private static HeaderDictionary Edited(string lines, HeaderDictionary initial, IReadOnlyList<KeyValuePair<string, string?>>? variables = null, HeaderDictionary? request = null)
    {
        foreach (HeaderEdit edit in Settings(lines).ResponseHeaderEdits)
        {
            if (edit.AppliesTo(variables ?? []))
            {
                HeaderEditing.Apply(initial, edit, edit.Value?.Format(DateTimeOffset.Now, variables ?? [], null), request, null);
            }
        }
        return initial;
    }

    [Fact]
    public void SetReplacesAndUnsetRemovesTheAppsHeaders()
    {
        var headers = Edited("""
            Header set X-Frame-Options SAMEORIGIN
            Header always set Strict-Transport-Security "max-age=63072000; includeSubDomains"
            Header unset X-Powered-By
            """, new HeaderDictionary { ["X-Frame-Options"] = "ALLOW", ["X-Powered-By"] = "Django" });

        Assert.Equal("SAMEORIGIN", headers["X-Frame-Options"]);
        Assert.Equal("max-age=63072000; includeSubDomains", headers["Strict-Transport-Security"]);
        Assert.False(headers.ContainsKey("X-Powered-By"));
    }

    [Fact]
    public void AppendAddMergeAndSetIfEmpty()
    {
        var headers = Edited("""
            Header append Vary User-Agent
            Header merge Cache-Control no-cache
            Header merge Cache-Control private
            Header add Link "</a.css>; rel=preload"
            Header add Link "</b.js>; rel=preload"
            Header setifempty Content-Language en
            Header setifempty X-Robots-Tag noindex
            """, new HeaderDictionary { ["Vary"] = "Accept-Encoding", ["Cache-Control"] = "private", ["Content-Language"] = "de" });

        Assert.Equal("Accept-Encoding, User-Agent", headers["Vary"]);
        Assert.Equal("private, no-cache", headers["Cache-Control"]);
        Assert.Equal(["</a.css>; rel=preload", "</b.js>; rel=preload"], headers["Link"].Select(v => v!).ToArray());
        Assert.Equal("de", headers["Content-Language"]);
        Assert.Equal("noindex", headers["X-Robots-Tag"]);
    }

    [Fact]
    public void EditRewritesEachValueWithGroups()
    {
        var headers = Edited("""
            Header edit Set-Cookie ^(.*)$ "$1; HttpOnly; Secure"
            Header edit* X-List a "\$"
            """, new HeaderDictionary { ["Set-Cookie"] = new(["a=1", "b=2; Path=/"]), ["X-List"] = "banana" });

        Assert.Equal(["a=1; HttpOnly; Secure", "b=2; Path=/; HttpOnly; Secure"], headers["Set-Cookie"].Select(v => v!).ToArray());
        Assert.Equal("b$n$n$", headers["X-List"]);
    }

    [Fact]
    public void EnvConditionsAndFormatsReadTheRequestsVariables()
    {
        const string Lines = """
            Header set X-Internal yes env=internal
            Header set X-Public yes env=!internal
            Header set X-Tenant "tenant %{TENANT}e, %{MISSING}e, 100%%"
            """;

        var inside = Edited(Lines, [], [new("internal", "1"), new("TENANT", "shop")]);
        var outside = Edited(Lines, []);

        Assert.Equal(("yes", false), (inside["X-Internal"].ToString(), inside.ContainsKey("X-Public")));
        Assert.Equal(("yes", false), (outside["X-Public"].ToString(), outside.ContainsKey("X-Internal")));
        Assert.Equal("tenant shop, (null), 100%", inside["X-Tenant"]);
    }

    [Fact]
    public void TimeFormatsAreApachesMicroseconds()
    {
        var received = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123).AddTicks(4560);
        var format = HeaderValueFormat.Parse("%t %D", out string? problem)!;
        Assert.Null(problem);

        string[] parts = format.Format(received, [], null).Split(' ');

        Assert.Equal("t=1700000000123456", parts[0]);
        Assert.StartsWith("D=", parts[1], StringComparison.Ordinal);
        Assert.True(long.Parse(parts[1][2..], System.Globalization.CultureInfo.InvariantCulture) > 0);
    }

    [Fact]
    public void EchoCopiesMatchingRequestHeaders()
    {
        var headers = Edited("Header echo ^X-Request-", [], null, new HeaderDictionary { ["X-Request-Id"] = "abc", ["Cookie"] = "s=1" });

        Assert.Equal("abc", headers["X-Request-Id"]);
        Assert.False(headers.ContainsKey("Cookie"));
    }

    [Fact]
    public void RequestHeaderLinesAreKeptApartFromHeaderLines()
    {
        var settings = Settings("RequestHeader set X-Forwarded-Proto https early\nRequestHeader unset Proxy\nHeader set X-A b");

        Assert.Equal([(HeaderAction.Set, "X-Forwarded-Proto", true), (HeaderAction.Unset, "Proxy", false)],
            settings.RequestHeaderEdits.Select(e => (e.Action, e.Name, e.Early)));
        Assert.Single(settings.ResponseHeaderEdits);
    }

    [Theory]
    [InlineData("Header always set", "needs an action and a header")]
    [InlineData("Header sett X-A b", "'sett' is not an action of Header")]
    [InlineData("RequestHeader echo ^X-", "'echo' is not an action of RequestHeader")]
    [InlineData("Header set X-A", "'set' needs a value")]
    [InlineData("Header edit X-A ^a", "'edit' needs a pattern and a replacement")]
    [InlineData("Header set X-A b c", "'c' is not a condition")]
    [InlineData("Header set X-A b env=x extra", "has 1 argument(s) too many for 'set'")]
    [InlineData("Header set X-A b \"expr=%{REQUEST_STATUS} == 200\"", "conditions with expr= (ap_expr) are not supported")]
    [InlineData("Header set X-A \"load %l\"", "the value 'load %l' cannot be read: '%l' (the server's load, from mod_status) is not supported")]
    [InlineData("Header set X-A \"%q\"", "the value '%q' cannot be read: '%q' is not a header format (use %t, %D, %{VAR}e, %{VAR}s or %%)")]
    public void BadLinesAreErrorsWithAFix(string line, string message)
    {
        var error = SiteText.Error("Listen 80\n" + line);

        error.At(2, line.Split(' ')[0]);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void EarlyIsRefusedInsideASection()
    {
        SiteText.Error("Listen 80\n<Location />\nRequestHeader set X-A b early\n</Location>").At(3, "RequestHeader");
    }

    [Fact]
    public void AnEditReplacementKeepsApachesMeaningInDotNetSyntax()
    {
        Assert.Equal("${1}0 $$ x", WsgiHost.Access.ApacheRegex.Substitution(@"$10 $ \x"));
    }
}
