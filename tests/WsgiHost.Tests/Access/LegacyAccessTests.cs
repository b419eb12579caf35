using System.Net;
using WsgiHost.Access;

namespace WsgiHost.Tests.Access;

public sealed class LegacyAccessTests
{
    [Fact]
    public void DenyAllowIsTheDefaultAndAllowsUnlessDenied()
    {
        var rules = AccessTestConfig.Rules("""
            <Directory /srv/app>
                Deny from 192.0.2.0/24
            </Directory>
            """);
        Assert.True(rules.Allows("198.51.100.1"));
        Assert.False(rules.Allows("192.0.2.9"));
    }

    [Fact]
    public void DenyAllowLetsAllowOverrideDeny()
    {
        var rules = AccessTestConfig.Rules("""
            <Directory /srv/app>
                Order deny,allow
                Deny from all
                Allow from 10.0.0.0/8
            </Directory>
            """);
        Assert.True(rules.Allows("10.1.1.1"));
        Assert.False(rules.Allows("192.0.2.9"));
    }

    [Fact]
    public void AllowDenyDeniesByDefaultAndLetsDenyOverrideAllow()
    {
        var rules = AccessTestConfig.Rules("""
            <Directory /srv/app>
                Order Allow,Deny
                Allow from 10.0.0.0/8
                Deny from 10.6.6.6
            </Directory>
            """);
        Assert.True(rules.Allows("10.1.1.1"));
        Assert.False(rules.Allows("10.6.6.6"));
        Assert.False(rules.Allows("192.0.2.9"));
        Assert.False(AccessTestConfig.Rules("<Directory />\nOrder allow,deny\n</Directory>").Allows("10.0.0.1"));
    }

    [Fact]
    public void MutualFailureNeedsAnAllowAndNoDeny()
    {
        var rules = AccessTestConfig.Rules("""
            <Directory /srv/app>
                Order mutual-failure
                Allow from 10.0.0.0/8
                Deny from 10.6.6.6
            </Directory>
            """);
        Assert.True(rules.Allows("10.1.1.1"));
        Assert.False(rules.Allows("10.6.6.6"));
        Assert.False(rules.Allows("192.0.2.9"));
    }

    [Fact]
    public void PartialAddressesHostsAndMappedClients()
    {
        var dns = new FakeResolver().Ptr("198.51.100.3", "ci.example.com").A("ci.example.com", "198.51.100.3");
        var rules = AccessTestConfig.Rules("""
            <Directory /srv/app>
                Order allow,deny
                Allow from 10.1 .example.com
            </Directory>
            """);
        Assert.True(rules.Allows("10.1.2.3"));
        Assert.True(rules.Allows("::ffff:10.1.2.3"));
        Assert.False(rules.Allows("10.2.0.1"));
        Assert.True(rules.Allows("198.51.100.3", dns));
        Assert.False(rules.Allows("198.51.100.4", dns));
    }

    [Fact]
    public void DenialReasonIsTheAccessCheckersLine()
    {
        var rules = AccessTestConfig.Rules("<Directory />\nDeny from all\n</Directory>");
        var decision = rules.Evaluate(new AccessRequest(IPAddress.Parse("192.0.2.1"), "/srv/app/app.wsgi"));
        Assert.Equal("AH01797: client denied by server configuration: /srv/app/app.wsgi", decision.Reason);
    }

    [Fact]
    public void WithSatisfyAllBothOrderAllowDenyAndRequireMustPass()
    {
        var rules = AccessTestConfig.Rules("""
            <Directory /srv/app>
                Order allow,deny
                Allow from 10.0.0.0/8
                Require ip 10.1.0.0/16
            </Directory>
            """);
        Assert.True(rules.Allows("10.1.0.1"));
        Assert.False(rules.Allows("10.2.0.1"));
        Assert.False(rules.Allows("192.0.2.1"));
    }

    [Fact]
    public void WithSatisfyAnyEitherIsEnough()
    {
        var rules = AccessTestConfig.Rules("""
            <Directory /srv/app>
                Order deny,allow
                Deny from all
                Allow from 10.0.0.0/8
                Require ip 192.0.2.0/24
                Satisfy Any
            </Directory>
            """);
        Assert.True(rules.Allows("10.1.0.1"));
        Assert.True(rules.Allows("192.0.2.77"));
        Assert.False(rules.Allows("198.51.100.1"));
    }

    [Fact]
    public void SatisfyAnyWithOnlyOneKindOfRuleLetsThatKindDecide()
    {
        // Apache 2.4 would grant everyone here (a phase with no rules "passes"); this server does not.
        var onlyLegacy = AccessTestConfig.Rules("<Directory />\nOrder allow,deny\nAllow from 10.0.0.0/8\nSatisfy any\n</Directory>");
        Assert.False(onlyLegacy.Allows("192.0.2.1"));
        Assert.True(onlyLegacy.Allows("10.0.0.1"));
        var onlyRequire = AccessTestConfig.Rules("<Directory />\nRequire ip 10.0.0.0/8\nSatisfy any\n</Directory>");
        Assert.False(onlyRequire.Allows("192.0.2.1"));
        Assert.True(onlyRequire.Allows("10.0.0.1"));
    }
}
