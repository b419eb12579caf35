using WsgiHost.Access;

namespace WsgiHost.Tests.Access;

public sealed class RequireEvaluationTests
{
    [Fact]
    public void AllGrantedAndAllDenied()
    {
        Assert.True(AccessTestConfig.Rules("<Location />\nRequire all granted\n</Location>").Allows("203.0.113.9"));
        Assert.False(AccessTestConfig.Rules("<Location />\nRequire all denied\n</Location>").Allows("203.0.113.9"));
    }

    [Fact]
    public void NoRulesAnywhereGrants()
    {
        Assert.Null(AccessTestConfig.Parse("<Location />\nSetHandler none\n</Location>").Rules);
        var decision = AccessRules.Evaluate(null, new AccessRequest(System.Net.IPAddress.Loopback, "/srv/x"));
        Assert.True(decision.IsGranted);
    }

    [Fact]
    public void SeveralRequireLinesAreAlternatives()
    {
        var rules = AccessTestConfig.Rules("""
            <Location /admin>
                Require ip 10.0.0.0/8
                Require ip 192.168.1.5
            </Location>
            """);
        Assert.True(rules.Allows("10.200.3.4"));
        Assert.True(rules.Allows("192.168.1.5"));
        Assert.False(rules.Allows("192.168.1.6"));
    }

    [Theory]
    [InlineData("10.1", "10.1.200.3", true)]
    [InlineData("10.1", "10.2.0.1", false)]
    [InlineData("10.1.", "10.1.0.9", true)]
    [InlineData("172.16.0.0/12", "172.31.255.255", true)]
    [InlineData("172.16.0.0/12", "172.32.0.1", false)]
    [InlineData("10.0.0.0/255.255.0.0", "10.0.77.1", true)]
    [InlineData("10.0.0.0/255.255.0.0", "10.1.0.1", false)]
    [InlineData("10.1.2.3/8", "10.99.0.1", true)] // host bits are cleared, as APR does
    [InlineData("192.0.2.7", "192.0.2.7", true)]
    [InlineData("192.0.2.7", "192.0.2.70", false)]
    [InlineData("2001:db8::/32", "2001:db8:1::5", true)]
    [InlineData("2001:db8::/32", "2001:db9::5", false)]
    [InlineData("::1", "::1", true)]
    [InlineData("10.0.0.0/8", "::ffff:10.9.8.7", true)] // IPv4-mapped IPv6 matches IPv4 rules
    [InlineData("10.0.0.0/8", "::ffff:11.9.8.7", false)]
    [InlineData("10.0.0.0/8", "2001:db8::1", false)]
    [InlineData("2001:db8::/32", "10.0.0.1", false)]
    [InlineData("::ffff:10.0.0.0/104", "10.3.3.3", true)]
    public void IpForms(string rule, string client, bool granted)
    {
        var rules = AccessTestConfig.Rules($"<Location />\nRequire ip {rule}\n</Location>");
        Assert.Equal(granted, rules.Allows(client));
    }

    [Fact]
    public void RequireAllNeedsEveryRuleAndNotExcludes()
    {
        var rules = AccessTestConfig.Rules("""
            <Directory /srv/app>
                <RequireAll>
                    Require ip 10.0.0.0/8
                    Require not ip 10.0.0.13
                </RequireAll>
            </Directory>
            """);
        Assert.True(rules.Allows("10.0.0.12"));
        Assert.False(rules.Allows("10.0.0.13"));
        Assert.False(rules.Allows("192.0.2.1"));
    }

    [Fact]
    public void RequireNoneDeniesWhatItMatchesAndIsNeutralOtherwise()
    {
        var rules = AccessTestConfig.Rules("""
            <Directory /srv/app>
                <RequireAll>
                    Require all granted
                    <RequireNone>
                        Require ip 198.51.100.0/24
                        Require ip 203.0.113.7
                    </RequireNone>
                </RequireAll>
            </Directory>
            """);
        Assert.True(rules.Allows("192.0.2.1"));
        Assert.False(rules.Allows("198.51.100.20"));
        Assert.False(rules.Allows("203.0.113.7"));
    }

    [Fact]
    public void NestedAnyInsideAll()
    {
        // The manual's example shape: (internal network or trusted host) and not the banned host.
        var rules = AccessTestConfig.Rules("""
            <Location />
                <RequireAll>
                    <RequireAny>
                        Require ip 10.0.0.0/8
                        Require ip 192.0.2.0/24
                    </RequireAny>
                    Require not ip 10.6.6.6
                </RequireAll>
            </Location>
            """);
        Assert.True(rules.Allows("10.1.1.1"));
        Assert.True(rules.Allows("192.0.2.8"));
        Assert.False(rules.Allows("10.6.6.6"));
        Assert.False(rules.Allows("198.51.100.1"));
    }

    [Fact]
    public void ARequireAllOfOnlyNeutralResultsDenies()
    {
        // Require not ... is neutral when it does not match; a section whose result is neutral denies.
        var rules = AccessTestConfig.Rules("""
            <Location />
                <RequireAll>
                    Require ip 10.0.0.0/8
                    <RequireAny>
                        <RequireAll>
                            Require all granted
                            Require not ip 10.0.0.1
                        </RequireAll>
                    </RequireAny>
                </RequireAll>
            </Location>
            """);
        Assert.True(rules.Allows("10.0.0.2"));
        Assert.False(rules.Allows("10.0.0.1"));
    }

    [Fact]
    public void RequireAnyAtTheTopIsTheSameAsLooseLines()
    {
        var rules = AccessTestConfig.Rules("""
            <Location />
                <RequireAny>
                    Require ip 10.0.0.1
                </RequireAny>
                Require ip 10.0.0.2
            </Location>
            """);
        Assert.True(rules.Allows("10.0.0.1"));
        Assert.True(rules.Allows("10.0.0.2"));
        Assert.False(rules.Allows("10.0.0.3"));
    }

    [Fact]
    public void LocalGrantsLoopbackAndTheServersOwnAddress()
    {
        var rules = AccessTestConfig.Rules("<Location />\nRequire local\n</Location>");
        Assert.True(rules.Allows("127.0.0.1"));
        Assert.True(rules.Allows("127.8.9.10"));
        Assert.True(rules.Allows("::1"));
        Assert.True(rules.Allows("::ffff:127.0.0.1"));
        Assert.False(rules.Allows("192.0.2.4"));
        var own = new AccessRequest(System.Net.IPAddress.Parse("192.0.2.4"), "/x", new FakeResolver(), System.Net.IPAddress.Parse("192.0.2.4"));
        Assert.True(rules.Evaluate(own).IsGranted);
    }

    [Fact]
    public void DenialReasonIsTheLineApacheLogs()
    {
        var rules = AccessTestConfig.Rules("<Location />\nRequire all denied\n</Location>");
        var decision = rules.Evaluate(new AccessRequest(System.Net.IPAddress.Parse("192.0.2.1"), "/srv/app/admin"));
        Assert.False(decision.IsGranted);
        Assert.Equal("AH01630: client denied by server configuration: /srv/app/admin", decision.Reason);
    }

    [Fact]
    public void RulesThatNeedNoNameDoNoLookups()
    {
        var resolver = new FakeResolver();
        var rules = AccessTestConfig.Rules("<Location />\nRequire ip 10.0.0.0/8\nRequire host example.com\n</Location>");
        Assert.True(rules.Allows("10.0.0.1", resolver));
        Assert.Equal(0, resolver.Lookups);
    }
}
