using System.Net;
using WsgiHost.Access;

namespace WsgiHost.Tests.Access;

public sealed class HostRuleTests
{
    private static readonly AccessRules RequireHost =
        AccessTestConfig.Rules("<Location />\nRequire host example.com .example.org\n</Location>");

    [Fact]
    public void AConfirmedNameInTheDomainGrants()
    {
        var dns = new FakeResolver().Ptr("192.0.2.10", "www.example.com").A("www.example.com", "192.0.2.10");
        Assert.True(RequireHost.Allows("192.0.2.10", dns));
    }

    [Fact]
    public void TheWholeNameOrADotBoundedSuffixMatches()
    {
        var exact = new FakeResolver().Ptr("192.0.2.1", "EXAMPLE.COM").A("example.com", "192.0.2.1");
        var other = new FakeResolver().Ptr("192.0.2.2", "badexample.com").A("badexample.com", "192.0.2.2");
        var org = new FakeResolver().Ptr("192.0.2.3", "a.b.example.org").A("a.b.example.org", "192.0.2.3");
        var orgItself = new FakeResolver().Ptr("192.0.2.4", "example.org").A("example.org", "192.0.2.4");
        Assert.True(RequireHost.Allows("192.0.2.1", exact));
        Assert.False(RequireHost.Allows("192.0.2.2", other));
        Assert.True(RequireHost.Allows("192.0.2.3", org));
        Assert.False(RequireHost.Allows("192.0.2.4", orgItself)); // ".example.org" needs something before the dot
    }

    [Fact]
    public void ANameThatDoesNotResolveBackToTheClientIsNotTrusted()
    {
        // Whoever controls the PTR zone of their own addresses can claim any name; the forward check stops that.
        var spoofed = new FakeResolver().Ptr("198.51.100.66", "www.example.com").A("www.example.com", "192.0.2.10");
        Assert.False(RequireHost.Allows("198.51.100.66", spoofed));
        Assert.False(RequireHost.Allows("198.51.100.67", new FakeResolver()));
    }

    [Fact]
    public void TheNameIsLookedUpOncePerRequest()
    {
        var dns = new FakeResolver().Ptr("192.0.2.10", "x.example.net").A("x.example.net", "192.0.2.10");
        var rules = AccessTestConfig.Rules("<Location />\nRequire host a.com\nRequire host b.com\nRequire host c.com\n</Location>");
        Assert.False(rules.Allows("192.0.2.10", dns));
        Assert.Equal(2, dns.Lookups);
    }

    [Fact]
    public void AMappedClientIsLookedUpAsIPv4()
    {
        var dns = new FakeResolver().Ptr("192.0.2.10", "www.example.com").A("www.example.com", "192.0.2.10");
        Assert.True(RequireHost.Allows("::ffff:192.0.2.10", dns));
    }

    [Fact]
    public void ForwardDnsComparesTheNamesAddresses()
    {
        var rules = AccessTestConfig.Rules("<Location />\nRequire forward-dns office.example.com\n</Location>");
        var dns = new FakeResolver().A("office.example.com", "203.0.113.5", "2001:db8::5");
        Assert.True(rules.Allows("203.0.113.5", dns));
        Assert.True(rules.Allows("2001:db8::5", dns));
        Assert.False(rules.Allows("203.0.113.6", dns));
    }

    [Fact]
    public void TheSystemResolverConfirmsLocalhost()
    {
        // 127.0.0.1 resolves without a network on any sane host; whatever name it has must map back.
        var name = DnsHostNameResolver.Instance.GetHostName(IPAddress.Loopback);
        if (name is not null)
        {
            var rules = AccessTestConfig.Rules($"<Location />\nRequire host {name}\n</Location>");
            var confirmed = DnsHostNameResolver.Instance.GetAddresses(name).Contains(IPAddress.Loopback);
            Assert.Equal(confirmed, rules.Allows("127.0.0.1", DnsHostNameResolver.Instance));
        }
    }
}
