using System.Net;
using WsgiHost.Access;

namespace WsgiHost.Tests.Access;

/// <summary><c>Require env</c> and <c>Allow/Deny from env=</c>, against the variables SetEnvIf or SetEnv left on the request.</summary>
public sealed class EnvironmentRuleTests
{
    private static bool Allows(AccessRules rules, params (string Name, string? Value)[] variables) =>
        AccessRules.Evaluate(rules, new AccessRequest(IPAddress.Parse("192.0.2.7"), "/srv/app/x", new FakeResolver(), null,
            [.. variables.Select(v => new KeyValuePair<string, string?>(v.Name, v.Value))])).IsGranted;

    [Fact]
    public void RequireEnvGrantsWhenAnyNamedVariableIsSet()
    {
        var rules = AccessTestConfig.Rules("<Location />\nRequire env internal partner\n</Location>");

        Assert.True(Allows(rules, ("internal", "1")));
        Assert.True(Allows(rules, ("PARTNER", "yes")));
        Assert.False(Allows(rules));
        // Set, then unset by a later line (SetEnvIf ... !internal, or UnsetEnv): not set.
        Assert.False(Allows(rules, ("internal", "1"), ("internal", null)));
    }

    [Fact]
    public void RequireNotEnvDeniesAMarkedRequestInsideRequireAll()
    {
        var rules = AccessTestConfig.Rules("<Location />\n<RequireAll>\nRequire all granted\nRequire not env bad_bot\n</RequireAll>\n</Location>");

        Assert.True(Allows(rules));
        Assert.False(Allows(rules, ("bad_bot", "1")));
    }

    [Fact]
    public void DenyFromEnvAndAllowFromNegatedEnv()
    {
        var deny = AccessTestConfig.Rules("<Directory /srv/app>\nOrder allow,deny\nAllow from all\nDeny from env=bad_bot\n</Directory>");
        Assert.True(Allows(deny));
        Assert.False(Allows(deny, ("bad_bot", "1")));

        var allow = AccessTestConfig.Rules("<Directory /srv/app>\nOrder deny,allow\nDeny from all\nAllow from env=!blocked\n</Directory>");
        Assert.True(Allows(allow));
        Assert.False(Allows(allow, ("blocked", "")));
    }
}
