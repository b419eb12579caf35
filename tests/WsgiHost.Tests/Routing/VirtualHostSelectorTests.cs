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

    [Fact]
    public void AWildcardNameOfAnEarlierHostWinsOverTheExactNameOfALaterOne()
    {
        var selector = new VirtualHostSelector([
            Host("*:80", "a.example.com"),
            Host("*:80", "b.example.com", "*.example.com"),
            Host("*:80", "www.example.com"),
            Host("*:80", "c.example.com", "www.example.com"),
        ]);
        Assert.Equal(1, selector.Select(Local, 80, "www.example.com"));
        Assert.Equal(0, selector.Select(Local, 80, "a.example.com"));
        Assert.Equal(1, selector.Select(Local, 80, "c.example.com"));
        Assert.Equal(0, selector.Select(Local, 80, "example.org"));
    }

    [Fact]
    public void SelectionMatchesTryingEveryHostInOrder()
    {
        // Apache's rule as written, host by host, against the indexed selector on random sites.
        var random = new Random(11);
        string[] addresses = ["*:80", "127.0.0.1:80", "*:*", "127.0.0.2:80", "*:8080", "127.0.0.1:*"];
        string[] names = ["a.test", "b.test", "*.test", "a.*", "?.test", "A.TEST.", "b.test:8080", "*", "c.test"];
        string?[] requested = ["a.test", "b.test", "c.test", "x.test", "a.other", "A.Test", "ab.test", null, "", "test"];
        IPAddress[] locals = [IPAddress.Loopback, IPAddress.Parse("127.0.0.2"), IPAddress.Parse("::ffff:127.0.0.1")];
        for (int round = 0; round < 300; round++)
        {
            var hosts = new List<VirtualHostKey>();
            for (int i = random.Next(0, 7); i > 0; i--)
            {
                hosts.Add(Host(addresses[random.Next(addresses.Length)], random.Next(4) == 0 ? null : names[random.Next(names.Length)],
                    [.. Enumerable.Range(0, random.Next(0, 3)).Select(_ => names[random.Next(names.Length)])]));
            }
            var selector = new VirtualHostSelector(hosts);
            foreach (IPAddress local in locals)
            {
                foreach (int port in (int[])[80, 8080, 443])
                {
                    foreach (string? host in requested)
                    {
                        Assert.True(TriedInOrder(hosts, local, port, host) == selector.Select(local, port, host),
                            $"{string.Join("; ", hosts.Select(h => $"{h.Addresses[0]} {h.ServerName} {string.Join(' ', h.ServerAliases)}"))} <- {local}:{port} '{host}'");
                    }
                }
            }
        }
    }

    private static int TriedInOrder(List<VirtualHostKey> hosts, IPAddress local, int port, string? hostName)
    {
        bool Matches(VirtualHostKey h, bool exact) => h.Addresses.Where(a => a.Matches(local, port)).Select(a => (IPEndPointPattern?)a).FirstOrDefault() is { } a && (a.Address != null) == exact;
        bool anyExact = hosts.Any(h => Matches(h, exact: true));
        var candidates = Enumerable.Range(0, hosts.Count).Where(i => Matches(hosts[i], anyExact)).ToList();
        if (candidates.Count == 0)
        {
            return -1;
        }
        if (string.IsNullOrEmpty(hostName))
        {
            return candidates[0];
        }
        foreach (int i in candidates)
        {
            var patterns = (hosts[i].ServerName == null ? [] : new[] { hosts[i].ServerName! }).Concat(hosts[i].ServerAliases);
            if (patterns.Any(p => new HostPattern(p).Matches(hostName)))
            {
                return i;
            }
        }
        return candidates[0];
    }
}
