using System.Net;
using WsgiHost.Routing;

namespace WsgiHost.Tests.Routing;

public sealed class VirtualHostSelectorTests
{
    private static readonly IPAddress Local = IPAddress.Loopback;

    private static VirtualHostKey Host(string addr, string? name, params string[] aliases)
    {
        string[] parts = addr.Split(':');
        IPAddress? ip = parts[0] == "*" ? null : IPAddress.Parse(parts[0]);
        int? port = parts[1] == "*" ? null : int.Parse(parts[1]);
        return new VirtualHostKey([new IPEndPointPattern(ip, port)], name, aliases);
    }

    [Theory]
    [InlineData("*.example.com", "www.example.com", true)]
    [InlineData("*.example.com", "a.b.example.com", true)] // * spans dots
    [InlineData("*.example.com", "example.com", false)]
    [InlineData("www.example.com", "WWW.Example.COM.", true)]
    [InlineData("www.example.com:8080", "www.example.com", true)]
    [InlineData("web?.example.com", "web1.example.com", true)]
    [InlineData("web?.example.com", "web12.example.com", false)]
    public void NamesMatchAsApacheDoes(string pattern, string host, bool matches) =>
        Assert.Equal(matches, new HostPattern(pattern).Matches(host));

    [Fact]
    public void TheHostHeaderPicksTheVirtualHostOfThatAddress()
    {
        var selector = new VirtualHostSelector([
            Host("*:80", "first.example.com"),
            Host("*:80", "second.example.com", "*.second.example.com"),
            Host("*:443", "second.example.com"),
        ]);
        Assert.Equal(1, selector.Select(Local, 80, "second.example.com"));
        Assert.Equal(1, selector.Select(Local, 80, "api.second.example.com"));
        Assert.Equal(2, selector.Select(Local, 443, "second.example.com"));
        Assert.Equal(1, selector.Select(Local, 80, "API.Second.Example.COM."));
    }

    [Fact]
    public void AnUnknownOrMissingHostGoesToTheFirstVirtualHostOfThatAddress()
    {
        var selector = new VirtualHostSelector([Host("*:8080", "a.example.com"), Host("*:80", "b.example.com"), Host("*:80", "c.example.com")]);
        Assert.Equal(1, selector.Select(Local, 80, "unknown.example.com"));
        Assert.Equal(1, selector.Select(Local, 80, null));
        Assert.Equal(0, selector.Select(Local, 8080, "c.example.com"));
    }

    [Fact]
    public void AnExactAddressBeatsTheWildcard()
    {
        var selector = new VirtualHostSelector([Host("*:80", "a.example.com"), Host("127.0.0.1:80", "b.example.com")]);
        Assert.Equal(1, selector.Select(Local, 80, "a.example.com"));
    }

    [Fact]
    public void NoVirtualHostForTheAddressMeansTheMainServer() =>
        Assert.Equal(-1, new VirtualHostSelector([Host("*:80", "a.example.com")]).Select(Local, 9999, "a.example.com"));
}
