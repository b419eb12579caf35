using System.Net;
using Microsoft.AspNetCore.Http;
using WsgiHost.Configuration.Model;
using WsgiHost.Proxy;
using WsgiHost.Tests.Configuration.Directives;
using WsgiHost.Tests.Interop;

namespace WsgiHost.Tests.Proxy;

/// <summary>mod_remoteip's walk of the forwarded addresses, right to left, as far as the proxies are believed.</summary>
public sealed class RemoteIpResolverTests
{
    private static RemoteIpConfig Config(string lines) => SiteText.Clean("Listen 80\n" + lines).MainServer.RemoteIp!;

    private static (string? Client, string? Left, string? Proxies) Run(RemoteIpConfig config, string peer, string forwardedFor)
    {
        var headers = new HeaderDictionary { ["X-Forwarded-For"] = forwardedFor };
        IPAddress? client = RemoteIpResolver.Apply(config, IPAddress.Parse(peer), headers);
        return (client?.ToString(), headers.TryGetValue("X-Forwarded-For", out var left) ? left.ToString() : null,
            headers.TryGetValue("X-Forwarded-By", out var by) ? by.ToString() : null);
    }

    [Fact]
    public void WithoutProxyListsEveryPeerIsBelievedAndTheWholeHeaderTaken()
    {
        var config = Config("RemoteIPHeader X-Forwarded-For");

        Assert.Equal(("192.0.2.1", null, null), Run(config, "127.0.0.1", "192.0.2.1, 10.0.0.5"));
    }

    [Fact]
    public void AnUnlistedPeerChangesNothing()
    {
        var config = Config("RemoteIPHeader X-Forwarded-For\nRemoteIPInternalProxy 10.0.0.0/8");

        Assert.Equal((null, "203.0.113.9", null), Run(config, "198.51.100.1", "203.0.113.9"));
    }

    [Fact]
    public void TheWalkStopsAtTheFirstAddressNotAProxy()
    {
        var config = Config("RemoteIPHeader X-Forwarded-For\nRemoteIPInternalProxy 10.0.0.0/8\nRemoteIPTrustedProxy 198.51.100.7\nRemoteIPProxiesHeader X-Forwarded-By");

        // 10.0.0.2 (internal) got it from 198.51.100.7 (trusted), which got it from 203.0.113.9.
        Assert.Equal(("203.0.113.9", "192.0.2.1", "198.51.100.7"), Run(config, "10.0.0.2", "192.0.2.1, 203.0.113.9, 198.51.100.7"));
        // A trusted outside proxy does not get to present a private address, nor an internal proxy.
        Assert.Equal(((string?)null, "10.9.9.9", (string?)null), Run(config, "198.51.100.7", "10.9.9.9"));
        // Garbage stops the walk where it stands.
        Assert.Equal(("198.51.100.7", "not-an-address", null), Run(config, "10.0.0.2", "not-an-address, 198.51.100.7"));
    }

    [Fact]
    public void AVirtualHostWithoutItsOwnSettingsHasTheMainServers()
    {
        var config = SiteText.Clean("Listen 80\nRemoteIPHeader X-Real-IP\nRemoteIPInternalProxy 127.0.0.1\n<VirtualHost *:80>\nServerName v.test\nRemoteIPTrustedProxy 192.0.2.0/24\n</VirtualHost>");
        var runtime = new WsgiHost.Server.ScopeRuntime(0, config.VirtualHosts[0], config.MainServer, new NullLog(), [], TimeSpan.FromSeconds(60));

        Assert.Equal("X-Real-IP", runtime.RemoteIp!.Header);
        Assert.Empty(runtime.RemoteIp.Internal);
        Assert.Single(runtime.RemoteIp.Trusted);
    }

    [Theory]
    [InlineData("RemoteIPInternalProxy proxy.example.com", "RemoteIPInternalProxy")]
    [InlineData("RemoteIPTrustedProxyList /nonexistent/proxies.txt", "RemoteIPTrustedProxyList")]
    public void BadProxiesAreErrorsWithTheirLine(string line, string directive)
    {
        SiteText.Error("Listen 80\n" + line).At(2, directive);
    }
}
