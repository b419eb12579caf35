using System.Net;
using System.Text;
using WsgiHost.Access;
using WsgiHost.Python.Auth;

namespace WsgiHost.Tests.Access;

/// <summary>
/// How mod_wsgi's hooks take part in Basic authentication: AuthBasicProvider's order (a provider that does
/// not know the user passes to the next), what a failing script means (500 for check_password, a refusal for
/// groups_for_user), and the setups that cannot work. The hooks here are a table standing in for the Python
/// scripts, which AuthScriptTests (functional) runs for real.
/// </summary>
public sealed class AuthScriptRulesTests
{
    private static readonly string Auth = Path.Combine(RepoPaths.Root, "tests", "apps", "auth");

    /// <summary>check_password's answers by user (a missing user: None), groups_for_user's (null: it raised) and allow_access's by client.</summary>
    private sealed class TableScripts(Dictionary<string, PasswordCheck> passwords, Dictionary<string, string[]?>? groups = null, Dictionary<string, bool?>? hosts = null) : IAuthScripts
    {
        public bool? AllowAccess(AuthScriptRef script, string host)
        {
            Calls.Add($"allow_access {host}");
            return hosts != null && hosts.TryGetValue(host, out bool? allowed) ? allowed : null;
        }

        public List<string> Calls { get; } = [];

        public PasswordCheck CheckPassword(AuthScriptRef script, string user, string password)
        {
            Calls.Add($"check_password {user} ({script.ApplicationGroup})");
            return passwords.TryGetValue(user, out PasswordCheck check) ? check : new PasswordCheck(PasswordVerdict.UserNotFound);
        }

        public IReadOnlyList<string>? GroupsOf(AuthScriptRef script, string user)
        {
            Calls.Add($"groups_for_user {user}");
            return groups != null && groups.TryGetValue(user, out string[]? names) ? names : [];
        }
    }

    private static string Section(string lines) => $"""
        <Location />
        AuthType Basic
        AuthName "Site"
        {lines}
        </Location>
        """;

    private static string Basic(string user, string password) =>
        "Basic " + Convert.ToBase64String(Encoding.Latin1.GetBytes($"{user}:{password}"));

    private static AccessDecision Decide(AccessRules rules, string? authorization, IAuthScripts? scripts, string client = "203.0.113.7") =>
        rules.Evaluate(new AccessRequest(IPAddress.Parse(client), "/srv/app/x", new FakeResolver(), Authorization: authorization, Uri: "/x", Scripts: scripts));

    [Fact]
    public void AnAccessScriptThatSaysFalseDeniesBeforeAnyLoginAndTrueOrNoneLeavesTheRestToDecide()
    {
        var rules = AccessTestConfig.Rules(Section("AuthBasicProvider wsgi\nWSGIAuthUserScript /srv/site/wsgi.py\nWSGIAccessScript /srv/site/hosts.py\nRequire valid-user"));
        var scripts = new TableScripts(new() { ["alice"] = new(PasswordVerdict.Granted) },
            hosts: new() { ["10.9.9.9"] = false, ["10.1.1.1"] = true, ["192.0.2.1"] = null });

        var banned = Decide(rules, Basic("alice", "pw"), scripts, client: "10.9.9.9");
        Assert.Equal((403, "Client denied by server configuration: '/srv/app/x' (WSGIAccessScript '/srv/site/hosts.py')."), (banned.Status, banned.Reason));
        // The host as the script sees it: the client's address, an IPv4-mapped one as IPv4.
        Assert.Equal(["allow_access 10.9.9.9"], scripts.Calls);
        Assert.Equal(401, Decide(rules, null, scripts, client: "::ffff:10.1.1.1").Status);
        Assert.Contains("allow_access 10.1.1.1", scripts.Calls);
        var unknownHost = Decide(rules, Basic("alice", "pw"), scripts, client: "192.0.2.1");
        Assert.True(unknownHost.IsGranted, unknownHost.Reason);
        // No Python to ask: denied, as mod_wsgi denies when the script cannot answer.
        Assert.Equal(403, Decide(rules, Basic("alice", "pw"), scripts: null).Status);
    }

    [Fact]
    public void UnderSatisfyAnyTheAccessScriptsTrueLetsInWithoutALoginAndItsFalseAsksForOne()
    {
        var rules = AccessTestConfig.Rules(Section("AuthBasicProvider wsgi\nWSGIAuthUserScript /srv/site/wsgi.py\nWSGIAccessScript /srv/site/hosts.py\nRequire valid-user\nSatisfy Any"));
        var scripts = new TableScripts(new() { ["alice"] = new(PasswordVerdict.Granted) },
            hosts: new() { ["10.9.9.9"] = false, ["10.1.1.1"] = true });

        Assert.True(Decide(rules, null, scripts, client: "10.1.1.1").IsGranted);
        Assert.Equal(401, Decide(rules, null, scripts, client: "10.9.9.9").Status);
        Assert.True(Decide(rules, Basic("alice", "pw"), scripts, client: "10.9.9.9").IsGranted);
        // No opinion is not a grant: a login is asked for.
        Assert.Equal(401, Decide(rules, null, scripts, client: "192.0.2.1").Status);
    }

    [Fact]
    public void TheScriptDecidesAndMayRenameTheUser()
    {
        var rules = AccessTestConfig.Rules(Section("AuthBasicProvider wsgi\nWSGIAuthUserScript /srv/site/wsgi.py\nRequire valid-user"));
        var scripts = new TableScripts(new()
        {
            ["alice"] = new PasswordCheck(PasswordVerdict.Granted),
            ["bob"] = new PasswordCheck(PasswordVerdict.Denied),
            ["svc"] = new PasswordCheck(PasswordVerdict.Granted, "service-account"),
        });

        Assert.Equal("alice", Decide(rules, Basic("alice", "pw"), scripts).User);
        Assert.Equal("service-account", Decide(rules, Basic("svc", "pw"), scripts).User);
        var wrong = Decide(rules, Basic("bob", "pw"), scripts);
        Assert.Equal((401, "AH01617: user bob: authentication failure for \"/x\": Password Mismatch"), (wrong.Status, wrong.Reason));
        var unknown = Decide(rules, Basic("mallory", "pw"), scripts);
        Assert.Equal((401, "AH01618: user mallory not found: /x"), (unknown.Status, unknown.Reason));
        // The main interpreter unless application-group= says otherwise, as mod_wsgi.
        Assert.Contains("check_password alice (%{GLOBAL})", scripts.Calls);
    }

    [Fact]
    public void ProvidersAreAskedInTheirOrderUntilOneKnowsTheUser()
    {
        // alice is in the htpasswd file (password wonderland); the script is asked only about others.
        var rules = AccessTestConfig.Rules(Section($"AuthBasicProvider file wsgi\nAuthUserFile {Auth}/users.htpasswd\nWSGIAuthUserScript /srv/site/wsgi.py application-group=hooks\nRequire valid-user"));
        var scripts = new TableScripts(new() { ["grace"] = new PasswordCheck(PasswordVerdict.Granted), ["alice"] = new PasswordCheck(PasswordVerdict.Granted) });

        Assert.True(Decide(rules, Basic("alice", "wonderland"), scripts).IsGranted);
        // A wrong password in the file is final: the script is not asked to overrule it.
        Assert.Equal(401, Decide(rules, Basic("alice", "guess"), scripts).Status);
        Assert.True(Decide(rules, Basic("grace", "pw"), scripts).IsGranted);
        Assert.Equal(["check_password grace (hooks)"], scripts.Calls);
    }

    [Fact]
    public void AFailingScriptIsAServerErrorAndSoIsTheWsgiProviderWithoutAScript()
    {
        var failing = AccessTestConfig.Rules(Section("AuthBasicProvider wsgi\nWSGIAuthUserScript /srv/site/wsgi.py\nRequire valid-user"));
        var crash = Decide(failing, Basic("alice", "pw"), new TableScripts(new() { ["alice"] = new PasswordCheck(PasswordVerdict.Failed) }));
        Assert.Equal(500, crash.Status);
        Assert.Equal("WSGIAuthUserScript '/srv/site/wsgi.py' (site.conf:5) failed to check user alice; its error is logged above.", crash.Reason);

        var noScript = Decide(AccessTestConfig.Rules(Section("AuthBasicProvider wsgi\nRequire valid-user")), Basic("alice", "pw"), new TableScripts([]));
        Assert.Equal(500, noScript.Status);
        Assert.StartsWith("Location of WSGI user authentication script not provided", noScript.Reason, StringComparison.Ordinal);

        // No Python in this process to run it.
        Assert.Equal(500, Decide(failing, Basic("alice", "pw"), scripts: null).Status);
    }

    [Fact]
    public void WsgiGroupAdmitsTheScriptsGroupsAndAFailingGroupScriptRefuses()
    {
        var rules = AccessTestConfig.Rules(Section("AuthBasicProvider wsgi\nWSGIAuthUserScript /srv/site/wsgi.py\nWSGIAuthGroupScript /srv/site/wsgi.py\nRequire wsgi-group admins"));
        var everyone = new Dictionary<string, PasswordCheck> { ["alice"] = new(PasswordVerdict.Granted), ["bob"] = new(PasswordVerdict.Granted), ["carol"] = new(PasswordVerdict.Granted) };
        var scripts = new TableScripts(everyone, new() { ["alice"] = ["staff", "ADMINS"], ["bob"] = ["staff"], ["carol"] = null });

        Assert.True(Decide(rules, Basic("alice", "pw"), scripts).IsGranted);
        var bob = Decide(rules, Basic("bob", "pw"), scripts);
        Assert.Equal((401, "AH01631: user bob: authorization failure for \"/x\": "), (bob.Status, bob.Reason));
        // mod_wsgi turns its own failure into a denial, not a 500; the reason says which script.
        var carol = Decide(rules, Basic("carol", "pw"), scripts);
        Assert.Equal(401, carol.Status);
        Assert.EndsWith("WSGIAuthGroupScript '/srv/site/wsgi.py' (site.conf:6) failed; its error is logged above.", carol.Reason, StringComparison.Ordinal);

        // Case is ignored for ASCII letters only, as strcasecmp ignores it.
        var cafe = AccessTestConfig.Rules(Section("AuthBasicProvider wsgi\nWSGIAuthUserScript /srv/site/wsgi.py\nWSGIAuthGroupScript /srv/site/wsgi.py\nRequire wsgi-group caf\u00e9"));
        var cafeScripts = new TableScripts(everyone, new() { ["alice"] = ["CAF\u00e9"], ["bob"] = ["CAF\u00c9"] });
        Assert.True(Decide(cafe, Basic("alice", "pw"), cafeScripts).IsGranted);
        Assert.Equal(401, Decide(cafe, Basic("bob", "pw"), cafeScripts).Status);

        var noGroupScript = AccessTestConfig.Rules(Section("AuthBasicProvider wsgi\nWSGIAuthUserScript /srv/site/wsgi.py\nRequire wsgi-group admins"));
        var denied = Decide(noGroupScript, Basic("alice", "pw"), scripts);
        Assert.Equal(401, denied.Status);
        Assert.Contains("Location of WSGI group authorization script not provided", denied.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void TheScriptDirectivesBelongInSectionsAndTheSectionsInheritThem()
    {
        var error = WsgiHost.Tests.Configuration.Directives.SiteText.Error("Listen 80\nWSGIAuthUserScript /srv/site/wsgi.py");
        Assert.Equal(("WSGIAuthUserScript", 2), (error.Directive, error.Location.Line));

        var merged = AccessTestConfig.MergedSections("""
            <Location />
            AuthBasicProvider wsgi
            WSGIAuthUserScript /srv/site/wsgi.py
            </Location>
            <Location /admin>
            WSGIAuthGroupScript /srv/site/groups.py application-group=%{SERVER}
            </Location>
            """);
        Assert.Equal(new AuthScriptRef("/srv/site/wsgi.py", "%{GLOBAL}", new WsgiHost.Configuration.Syntax.SourceLocation("site.conf", 3)), merged!.Auth!.UserScript);
        Assert.Equal("%{SERVER}", merged.Auth.GroupScript!.ApplicationGroup);
        Assert.Equal(["wsgi"], merged.Auth.ProvidersInOrder);
    }
}
