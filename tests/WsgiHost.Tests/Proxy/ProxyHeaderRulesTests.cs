using System.Net;
using WsgiHost.Access;
using WsgiHost.Proxy;

namespace WsgiHost.Tests.Proxy;

/// <summary>WSGITrustedProxyHeaders / WSGITrustedProxies with mod_wsgi's rules (catalog §9.3).</summary>
public sealed class ProxyHeaderRulesTests
{
    private static readonly IPAddress Peer = IPAddress.Parse("10.0.0.5");

    private static IpNetwork Net(string text)
    {
        Assert.Equal(IpNetwork.ParseOutcome.Parsed, IpNetwork.TryParse(text, out IpNetwork? n, out _));
        return n!;
    }

    private static Func<string, string?> Headers(params (string Name, string Value)[] headers) =>
        name => headers.FirstOrDefault(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    [Fact]
    public void WithoutAProxyListTheFirstForwardedForEntryIsTheClient()
    {
        var rules = new ProxyHeaderRules(["X-Forwarded-For"], null);
        var d = rules.Decide(Peer, Headers(("X-Forwarded-For", "203.0.113.7, 10.0.0.9")));
        Assert.Equal("203.0.113.7", d.RemoteAddr);
    }

    [Fact]
    public void WithAProxyListTheEntryLeftOfTheTrustedRunIsTheClientAndSpoofedEntriesGo()
    {
        var rules = new ProxyHeaderRules(["X-Forwarded-For"], [Net("10.0.0.0/8")]);
        var d = rules.Decide(Peer, Headers(("X-Forwarded-For", "6.6.6.6, 203.0.113.7, 10.0.0.9, 10.0.0.8")));
        Assert.Equal("203.0.113.7", d.RemoteAddr);
        Assert.Equal("203.0.113.7, 10.0.0.9, 10.0.0.8", d.ForwardedFor);
        // The rightmost entry is not a trusted proxy: it alone is the client.
        var untrustedLast = rules.Decide(Peer, Headers(("X-Forwarded-For", "1.1.1.1, 203.0.113.9")));
        Assert.Equal("203.0.113.9", untrustedLast.RemoteAddr);
        // Empty elements are ignored.
        Assert.Equal("203.0.113.7", rules.Decide(Peer, Headers(("X-Forwarded-For", "203.0.113.7,, 10.0.0.9"))).RemoteAddr);
    }

    [Fact]
    public void AnUntrustedPeerGetsNothingAppliedAndEverySynonymRemoved()
    {
        var rules = new ProxyHeaderRules(["X-Forwarded-For", "X-Forwarded-Proto"], [Net("192.0.2.1")]);
        var d = rules.Decide(Peer, Headers(("X-Forwarded-For", "1.2.3.4"), ("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "evil")));
        Assert.Null(d.RemoteAddr);
        Assert.Null(d.Https);
        Assert.Contains("X-Real-IP", d.Removed);
        Assert.Contains("X-Forwarded-For", d.Removed);
        Assert.Contains("X-Forwarded-SSL", d.Removed);
        // A category not listed passes through.
        Assert.DoesNotContain("X-Forwarded-Host", d.Removed);
    }

    [Fact]
    public void ATrustedPeersListedHeadersApplyAndTheirSynonymsGo()
    {
        var rules = new ProxyHeaderRules(["X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Port", "X-Forwarded-Server", "X-Script-Name", "X-Real-IP"], [Net("10.0.0.0/8")]);
        var d = rules.Decide(Peer, Headers(("X-Forwarded-Proto", "https"), ("X-Scheme", "http"), ("X-Forwarded-Host", "www.example.com:8443"),
            ("X-Forwarded-Port", "8443"), ("X-Forwarded-Server", "www.example.com"), ("X-Script-Name", "/shop/"), ("X-Real-IP", "198.51.100.2")));
        Assert.True(d.Https);
        Assert.Equal("www.example.com:8443", d.HttpHost);
        Assert.Equal("8443", d.ServerPort);
        Assert.Equal("www.example.com", d.ServerName);
        Assert.Equal("/shop", d.ScriptName);
        Assert.Equal("198.51.100.2", d.RemoteAddr);
        Assert.DoesNotContain("X-Forwarded-Proto", d.Removed);
        Assert.Contains("X-Scheme", d.Removed);
    }

    [Theory]
    [InlineData("X-Forwarded-SSL", "on", true)]
    [InlineData("X-Forwarded-HTTPS", "Off", false)]
    [InlineData("X-HTTPS", "1", true)]
    [InlineData("X-Forwarded-Proto", "http", false)]
    [InlineData("X-Forwarded-Proto", "gopher", null)]
    public void SchemeHeaders(string name, string value, bool? https) =>
        Assert.Equal(https, new ProxyHeaderRules([name], null).Decide(Peer, Headers((name, value))).Https);
}
