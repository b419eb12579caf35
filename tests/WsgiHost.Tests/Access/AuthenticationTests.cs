using System.Net;
using System.Text;
using WsgiHost.Access;

namespace WsgiHost.Tests.Access;

/// <summary>
/// Basic authentication as Apache 2.4 runs it (mod_authz_core's two passes, mod_auth_basic, mod_authn_file,
/// mod_authz_groupfile): who gets 401 with a challenge, who gets in and as whom, and which setups are a 500.
/// Users and hashes: tests/apps/auth/users.htpasswd (made by htpasswd), groups: tests/apps/auth/groups.
/// </summary>
public sealed class AuthenticationTests
{
    private static readonly string Auth = Path.Combine(RepoPaths.Root, "tests", "apps", "auth");

    private static string Section(string rules) => $"""
        <Location />
        AuthType Basic
        AuthName "Staff only"
        AuthUserFile {Auth}/users.htpasswd
        AuthGroupFile {Auth}/groups
        {rules}
        </Location>
        """;

    private static string Basic(string user, string password) =>
        "Basic " + Convert.ToBase64String(Encoding.Latin1.GetBytes($"{user}:{password}"));

    private static AccessDecision Decide(AccessRules rules, string? authorization, string client = "203.0.113.7") =>
        rules.Evaluate(new AccessRequest(IPAddress.Parse(client), "/srv/app/x", new FakeResolver(), Authorization: authorization));

    [Fact]
    public void WithoutCredentialsTheClientIsAskedForThemQuietly()
    {
        var decision = Decide(AccessTestConfig.Rules(Section("Require valid-user")), null);

        Assert.Equal((false, 401, "Staff only", true), (decision.IsGranted, decision.Status, decision.Realm, decision.Quiet));
    }

    [Fact]
    public void TheRightPasswordGrantsAndNamesTheUser()
    {
        var decision = Decide(AccessTestConfig.Rules(Section("Require valid-user")), Basic("bob", "builder"));

        Assert.True(decision.IsGranted);
        Assert.Equal("bob", decision.User);
    }

    [Theory]
    [InlineData("alice", "wrong", "AH01617: user alice: authentication failure for \"/srv/app/x\": Password Mismatch")]
    [InlineData("mallory", "x", "AH01618: user mallory not found: /srv/app/x")]
    public void AWrongPasswordOrUnknownUserIsA401WithApachesLogLine(string user, string password, string reason)
    {
        var decision = Decide(AccessTestConfig.Rules(Section("Require valid-user")), Basic(user, password));

        Assert.Equal((401, reason, "Staff only", false), (decision.Status, decision.Reason, decision.Realm, decision.Quiet));
    }

    [Theory]
    [InlineData("Bearer abc")]
    [InlineData("Basicx YWxpY2U6d29uZGVybGFuZA==")]
    public void AnotherSchemeIsA401(string authorization)
    {
        var decision = Decide(AccessTestConfig.Rules(Section("Require valid-user")), authorization);

        Assert.Equal(401, decision.Status);
        Assert.StartsWith("AH01614: client used wrong authentication scheme", decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Require user alice carol", "alice", "wonderland", true)]
    [InlineData("Require user alice carol", "bob", "builder", false)]
    [InlineData("Require group admins", "alice", "wonderland", true)]
    [InlineData("Require group admins", "carol", "singer", false)]
    [InlineData("Require group staff", "carol", "singer", true)]
    public void UserAndGroupRulesTestTheAuthenticatedUser(string rule, string user, string password, bool granted)
    {
        var decision = Decide(AccessTestConfig.Rules(Section(rule)), Basic(user, password));

        Assert.Equal(granted, decision.IsGranted);
        if (!granted)
        {
            // Authenticated but not allowed: 401 again, so the browser offers to log in as someone else (AH01631).
            Assert.Equal((401, $"AH01631: user {user}: authorization failure for \"/srv/app/x\": "), (decision.Status, decision.Reason));
        }
    }

    [Fact]
    public void AnAddressOrAPasswordLetsIn()
    {
        var rules = AccessTestConfig.Rules(Section("Require ip 10.0.0.0/8\nRequire valid-user"));

        Assert.True(Decide(rules, null, client: "10.1.2.3").IsGranted);
        Assert.Equal(401, Decide(rules, null).Status);
        Assert.True(Decide(rules, Basic("carol", "singer")).IsGranted);
    }

    [Fact]
    public void AnAddressAndAPasswordAreBothNeededInRequireAll()
    {
        var rules = AccessTestConfig.Rules(Section("<RequireAll>\nRequire ip 10.0.0.0/8\nRequire valid-user\n</RequireAll>"));

        // From outside: denied outright, no password asked for.
        Assert.Equal(403, Decide(rules, Basic("alice", "wonderland")).Status);
        Assert.Equal(401, Decide(rules, null, client: "10.1.2.3").Status);
        Assert.True(Decide(rules, Basic("alice", "wonderland"), client: "10.1.2.3").IsGranted);
    }

    [Fact]
    public void SatisfyAnyLetsTheAllowedHostsInWithoutAPassword()
    {
        // Apache 2.2's idiom, still common: these hosts, or anyone who logs in.
        var rules = AccessTestConfig.Rules(Section("Order deny,allow\nDeny from all\nAllow from 10.0.0.0/8\nSatisfy Any\nRequire valid-user"));

        Assert.True(Decide(rules, null, client: "10.1.2.3").IsGranted);
        Assert.Equal(401, Decide(rules, null).Status);
        Assert.True(Decide(rules, Basic("dave", "diver")).IsGranted);
    }

    [Fact]
    public void AUserRuleWithoutAuthTypeIsA500AsInApache()
    {
        var rules = AccessTestConfig.Rules("<Location />\nRequire valid-user\n</Location>");

        var decision = Decide(rules, Basic("alice", "wonderland"));

        Assert.Equal(500, decision.Status);
        Assert.StartsWith("AH00027: No authentication done but request not allowed without authentication", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutAuthNameOrAuthUserFileTheRequestIsA500()
    {
        var noName = AccessTestConfig.Rules($"<Location />\nAuthType Basic\nAuthUserFile {Auth}/users.htpasswd\nRequire valid-user\n</Location>");
        var noFile = AccessTestConfig.Rules("<Location />\nAuthType Basic\nAuthName x\nRequire valid-user\n</Location>");
        var missingFile = AccessTestConfig.Rules($"<Location />\nAuthType Basic\nAuthName x\nAuthUserFile {Auth}/nothing-here\nRequire valid-user\n</Location>");

        Assert.StartsWith("AH01615: need AuthName", Decide(noName, null).Reason, StringComparison.Ordinal);
        Assert.Equal(401, Decide(noFile, null).Status);
        Assert.StartsWith("AH01619: AuthUserFile not specified", Decide(noFile, Basic("alice", "wonderland")).Reason, StringComparison.Ordinal);
        Assert.StartsWith($"AH01620: Could not open password file: {Auth}/nothing-here", Decide(missingFile, Basic("alice", "wonderland")).Reason, StringComparison.Ordinal);
        Assert.All([Decide(noName, null), Decide(noFile, Basic("alice", "wonderland")), Decide(missingFile, Basic("alice", "wonderland"))], d => Assert.Equal(500, d.Status));
    }

    [Fact]
    public void AGroupFileThatCannotBeReadIsA401WithItsReasonAsInApache()
    {
        var rules = AccessTestConfig.Rules($"<Location />\nAuthType Basic\nAuthName x\nAuthUserFile {Auth}/users.htpasswd\nAuthGroupFile {Auth}/no-such-groups\nRequire group staff\n</Location>");

        var decision = Decide(rules, Basic("alice", "wonderland"));

        // Apache 2.4 side by side: 401, and "AH01665: Could not open group file" in the error log.
        Assert.Equal((401, $"AH01665: Could not open group file: {Auth}/no-such-groups", "authz_groupfile"), (decision.Status, decision.Reason, decision.Module));
    }

    [Fact]
    public void AuthTypeWithNoRequireIsA500AsInApache()
    {
        var rules = AccessTestConfig.Rules($"<Location />\nAuthType Basic\nAuthName x\nAuthUserFile {Auth}/users.htpasswd\n</Location>");

        Assert.StartsWith("AH01627: AuthType configured with no corresponding authorization directives", Decide(rules, null).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AuthTypeNoneInADeeperSectionTurnsAuthenticationOff()
    {
        var rules = AccessTestConfig.MergedSections($"{Section("Require valid-user")}\n<Location /public>\nAuthType None\nRequire all granted\n</Location>");

        Assert.True(Decide(rules!, null).IsGranted);
    }

    [Fact]
    public void ANegatedUserRuleWithNobodyAuthenticatedIsNeutral()
    {
        // Apache: "Require not user x" before authentication is neutral, so the RequireAll's grant stands.
        var rules = AccessTestConfig.Rules(Section("<RequireAll>\nRequire all granted\nRequire not user mallory\n</RequireAll>"));

        Assert.True(Decide(rules, null).IsGranted);
    }

    [Theory]
    [InlineData("Basic YWxpY2U6d29uZGVybGFuZA==", "alice", "wonderland")]
    [InlineData("basic   YWxpY2U6d29uZGVybGFuZA==", "alice", "wonderland")]
    [InlineData("Basic Ym9i", "bob", "")]
    [InlineData("Basic YTpiOmM=", "a", "b:c")]
    [InlineData("Bearer YTpiOmM=", null, null)]
    // As apr_base64_decode reads them: padding not needed, decoding stops at the first character outside
    // the alphabet, so nothing decodable is the empty user (a 401 like any unknown user); a NUL ends the text.
    [InlineData("Basic YWxpY2U6d29uZGVybGFuZA", "alice", "wonderland")]
    [InlineData("Basic Z29v ZDpwdw==", "goo", "")]
    [InlineData("Basic", "", "")]
    [InlineData("Basic !!!notbase64", "", "")]
    [InlineData("Basic dXMAZXI6cHc=", "us", "")]
    public void CredentialsAreTheUserUpToTheFirstColonAndThePasswordAfter(string header, string? user, string? password)
    {
        var credentials = BasicAuthentication.Credentials(header);

        Assert.Equal(user is null ? null : (user, password!), credentials);
    }
}
