using System.Net;
using WsgiHost.Access;
using WsgiHost.Configuration.Model;
using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Configuration.Lints;

/// <summary>
/// Mounts no client can reach: the access rules of the script's folder (a Require all denied
/// left on it, no grant under Debian's <c>&lt;Directory /&gt; Require all denied</c>) deny every
/// request, so the app answers nothing but 403. Apache and WsgiHost agree on that; check says it
/// before a deploy does.
/// </summary>
internal static partial class AccessLints
{
    // Clients of every kind a site serves: loopback, private networks, the internet, IPv6.
    private static readonly IPAddress[] Clients =
        [IPAddress.Loopback, IPAddress.IPv6Loopback, IPAddress.Parse("10.1.2.3"), IPAddress.Parse("192.168.1.10"), IPAddress.Parse("203.0.113.7"), IPAddress.Parse("2001:db8::7")];

    public static void UnreachableMounts(SiteConfig site, List<ConfigDiagnostic> found)
    {
        foreach (LintMount mount in LintMount.All(site).Where(m => !m.Alias.IsRegex))
        {
            ScriptAliasConfig alias = mount.Alias;
            var served = LintMount.RulesWhereServed(site, mount).ToList();
            if (served.Select(rules => rules == null ? null : AccessRules.Evaluate(rules, new AccessRequest(IPAddress.Loopback, alias.UrlPattern, NoNames.Instance)))
                .FirstOrDefault(d => d is { Status: 500 }) is { } broken)
            {
                // Authentication set up halfway (no AuthName, no AuthUserFile, AuthType without Require): Apache answers 500.
                found.Add(SiteLints.Warning(alias.Location, alias.DirectiveName,
                    $"every request for '{alias.UrlPattern}' fails (500): {broken.Reason}",
                    "give the section that asks for a user AuthType Basic, AuthName \"...\" and AuthUserFile, with Require valid-user (or user/group)"));
                continue;
            }
            if (mount.Scope.Tls?.ClientCertificates == null && served.Any(rules => rules != null && ClientCertificateRule().IsMatch(rules.ToString())))
            {
                // Granted only to a client whose certificate verified, which this host never asks for.
                found.Add(SiteLints.Warning(alias.Location, alias.DirectiveName,
                    $"'Require ssl-verify-client' on '{alias.UrlPattern}' is never met: {(mount.Scope.Tls == null ? "the virtual host does not speak TLS" : "the virtual host does not ask for client certificates")}",
                    "add SSLVerifyClient optional (or require) with SSLCACertificateFile to the TLS <VirtualHost> that serves it"));
                continue;
            }
            // A 401 asks for credentials: users who have them get in.
            if (served.Any(rules => rules == null || DependsOnNamesOrVariables(rules)
                || Clients.Any(c => AccessRules.Evaluate(rules, new AccessRequest(c, alias.UrlPattern, NoNames.Instance)) is { IsGranted: true } or { Status: 401 })))
            {
                continue;
            }
            string folder = Path.GetDirectoryName(alias.Target) ?? "/";
            found.Add(SiteLints.Warning(alias.Location, alias.DirectiveName,
                $"every request for '{alias.UrlPattern}' is denied (403): the access rules that apply to {alias.Target} grant no client",
                $"grant it where the script is: <Directory {folder}> Require all granted </Directory> (or <Files {Path.GetFileName(alias.Target)}> inside it)"));
        }
    }

    /// <summary>Rules a client's host name, the request's variables or its certificate may grant (Require host, Require env, Require ssl-verify-client, Allow from a name): check cannot tell who they let in.</summary>
    private static bool DependsOnNamesOrVariables(AccessRules rules) => NameOrVariableRule().IsMatch(rules.ToString()) || ClientCertificateRule().IsMatch(rules.ToString());

    [System.Text.RegularExpressions.GeneratedRegex(@"Require\s+ssl-verify-client\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex ClientCertificateRule();

    [System.Text.RegularExpressions.GeneratedRegex(@"Require\s+(not\s+)?(host|env|forward-dns)\b|\bfrom\s+(env=|(?!all\b)[A-Za-z])", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex NameOrVariableRule();

    /// <summary>No DNS from check: a Require host rule matches no one here.</summary>
    private sealed class NoNames : IHostNameResolver
    {
        public static readonly NoNames Instance = new();

        public string? GetHostName(IPAddress address) => null;

        public IReadOnlyList<IPAddress> GetAddresses(string hostName) => [];
    }
}
