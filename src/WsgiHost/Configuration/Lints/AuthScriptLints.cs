using WsgiHost.Access;
using WsgiHost.Configuration.Model;
using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Configuration.Lints;

/// <summary>
/// mod_wsgi's Python authentication hooks set up so that every login fails: a WSGIAuthUserScript,
/// WSGIAuthGroupScript or WSGIAccessScript whose file is missing (WSGIAccessScript's: every request is 403), <c>AuthBasicProvider wsgi</c> where no WSGIAuthUserScript
/// applies (mod_wsgi: "Location of WSGI user authentication script not provided", a 500 for each login),
/// <c>Require wsgi-group</c> where no WSGIAuthGroupScript does (nobody is in any group), or <c>Require group</c>
/// beside a WSGIAuthGroupScript with no AuthGroupFile (Django's docs' Apache 2.2 recipe: nobody is in any group).
/// </summary>
internal static partial class AuthScriptLints
{
    /// <summary>A <c>Require group</c> rule (mod_authz_groupfile's), not <c>Require wsgi-group</c>.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"(?<![\w-])group ")]
    private static partial System.Text.RegularExpressions.Regex GroupFileRule();

    public static void Unusable(SiteConfig site, List<ConfigDiagnostic> found)
    {
        var reported = new HashSet<(string, SourceLocation)>();
        foreach (AuthSettings auth in site.AllScopes.SelectMany(s => s.Sections).Select(s => s.Payload.Access?.Auth).OfType<AuthSettings>())
        {
            foreach (var (script, directive, function) in new[]
            {
                (auth.UserScript, "WSGIAuthUserScript", "check_password(environ, user, password)"),
                (auth.GroupScript, "WSGIAuthGroupScript", "groups_for_user(environ, user)"),
                (auth.AccessScript, "WSGIAccessScript", "allow_access(environ, host)"),
            })
            {
                if (script is not null && !File.Exists(script.Path) && reported.Add((script.Path, script.Location)))
                {
                    found.Add(SiteLints.Warning(script.Location, directive,
                        $"'{script.Path}' does not exist: every request it should check fails ({(directive == "WSGIAccessScript" ? "403" : "500")})",
                        $"point {directive} at the file that defines {function}{(directive == "WSGIAccessScript" ? "" : " (as Django's wsgi.py does with 'from django.contrib.auth.handlers.modwsgi import check_password, groups_for_user')")}"));
                }
            }
        }

        // WSGIAuthGroupScript lines whose Require group was reported for a mount.
        var groupRulesReported = new HashSet<SourceLocation>();
        foreach (LintMount mount in LintMount.All(site).Where(m => !m.Alias.IsRegex))
        {
            ScriptAliasConfig alias = mount.Alias;
            foreach (AccessRules rules in LintMount.RulesWhereServed(site, mount).OfType<AccessRules>())
            {
                if (rules.Auth is { IsBasic: true } auth && auth.ProvidersInOrder.Contains("wsgi") && auth.UserScript is null)
                {
                    found.Add(SiteLints.Warning(alias.Location, alias.DirectiveName,
                        $"every login for '{alias.UrlPattern}' fails (500): AuthBasicProvider wsgi applies there, and no WSGIAuthUserScript does",
                        "add 'WSGIAuthUserScript /path/to/wsgi.py' to the section with AuthBasicProvider wsgi"));
                    break;
                }
                if (rules.Auth is { GroupScript: { } groupScript, GroupFile: null } && GroupFileRule().IsMatch(rules.Require?.ToString() ?? ""))
                {
                    groupRulesReported.Add(groupScript.Location);
                    // Django's docs still show Apache 2.2's way: 2.4's mod_wsgi answers only Require wsgi-group.
                    found.Add(SiteLints.Warning(alias.Location, alias.DirectiveName,
                        $"Require group admits nobody to '{alias.UrlPattern}': it reads an AuthGroupFile, and none applies; the WSGIAuthGroupScript's groups answer Require wsgi-group",
                        "write 'Require wsgi-group NAME' for the script's groups (Django's deployment docs show 'Require group', which only Apache 2.2 passed to the script)"));
                    break;
                }
                if (rules.Auth?.GroupScript is null && rules.Require?.ToString().Contains("wsgi-group ", StringComparison.Ordinal) == true)
                {
                    found.Add(SiteLints.Warning(alias.Location, alias.DirectiveName,
                        $"Require wsgi-group admits nobody to '{alias.UrlPattern}': no WSGIAuthGroupScript applies there to say who is in a group",
                        "add 'WSGIAuthGroupScript /path/to/wsgi.py' (a groups_for_user(environ, user) function) to the section with Require wsgi-group"));
                    break;
                }
            }
        }
        // The same recipe on a URL below a mount (Django's docs put it in <Location "/secret">
        // under WSGIScriptAlias /), which the mounts' own rules above do not show (QA).
        foreach (AccessRules rules in site.AllScopes.SelectMany(s => s.Sections).Select(s => s.Payload.Access).OfType<AccessRules>())
        {
            if (rules.Auth is { GroupScript: { } groupScript, GroupFile: null } && GroupFileRule().IsMatch(rules.Require?.ToString() ?? "")
                && groupRulesReported.Add(groupScript.Location))
            {
                found.Add(SiteLints.Warning(groupScript.Location, "WSGIAuthGroupScript",
                    "Require group in this section admits nobody: it reads an AuthGroupFile, and none applies; the WSGIAuthGroupScript's groups answer Require wsgi-group",
                    "write 'Require wsgi-group NAME' for the script's groups (Django's deployment docs show 'Require group', which only Apache 2.2 passed to the script)"));
            }
        }
    }
}
