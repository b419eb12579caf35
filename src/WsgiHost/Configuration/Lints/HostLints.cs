using WsgiHost.Configuration.Model;
using WsgiHost.Configuration.Syntax;
using WsgiHost.Routing;

namespace WsgiHost.Configuration.Lints;

/// <summary>Lints of name-based virtual hosts: names that land on the wrong site.</summary>
internal static class HostLints
{
    public static void FallThrough(SiteConfig site, List<ConfigDiagnostic> found)
    {
        var groups = site.VirtualHosts.GroupBy(v => string.Join(' ', v.Addresses.Select(a => a.ToString()).Order(StringComparer.Ordinal)));
        foreach (var group in groups)
        {
            var hosts = group.ToList();
            ServerScope first = hosts[0];
            var selector = new VirtualHostSelector([.. hosts.Select(h => new VirtualHostKey(h.Addresses, h.ServerName ?? site.MainServer.ServerName, h.ServerAliases))]);
            if (hosts.Count > 1 && (first.ServerName ?? site.MainServer.ServerName) is string firstName && !first.ServerAliases.Contains("*"))
            {
                // Apache's rule: a name no virtual host of the address claims (a request by IP
                // address, a stray DNS name, a scanner) is served by the first one listed. That
                // first one, by file order (sites-enabled sorts by name), is a site, not a default.
                found.Add(SiteLints.Warning(first.Location, "<VirtualHost>",
                    $"requests for a name no virtual host of {group.Key} claims (by IP address, a stray DNS name) are served by this one, {firstName}, because it is listed first",
                    $"list a default virtual host first, one without ServerName (as Debian's 000-default.conf) that answers them with a page of its own or Require all denied, or make sure {firstName} is the site meant for them"));
            }
            for (int i = 0; i < hosts.Count; i++)
            {
                ServerScope host = hosts[i];
                if (host.ServerName == null && site.MainServer.ServerName == null && hosts.Count > 1)
                {
                    // The first one without a name is the default (Debian's 000-default.conf): it is
                    // meant to receive the requests no other claims.
                    if (i > 0)
                    {
                        found.Add(SiteLints.Warning(host.Location, "<VirtualHost>",
                            "this virtual host has no ServerName, and one is listed before it, so no request can select it by name; it is unreachable",
                            "add ServerName with the site's host name"));
                    }
                    continue;
                }
                if (host.ServerName == null || hosts.Count < 2)
                {
                    continue;
                }
                // A request for the name must select this host, not an earlier one.
                int chosen = Choose(selector, host, host.ServerName);
                if (chosen != i)
                {
                    found.Add(SiteLints.Warning(host.Location, "ServerName",
                        $"requests for {host.ServerName} go to the virtual host at {hosts[chosen].Location}, which is listed first and also claims that name; this one is never selected by name",
                        "remove the name from one of them"));
                }
                // www.example.com without example.com (or the reverse) is the classic miss.
                string sibling = host.ServerName.StartsWith("www.", StringComparison.OrdinalIgnoreCase) ? host.ServerName[4..] : "www." + host.ServerName;
                if (host.ServerName.Count(c => c == '.') >= (sibling.StartsWith("www.", StringComparison.Ordinal) ? 1 : 2) && Choose(selector, host, sibling) is int other && other != i && !ReferenceEquals(hosts[other], host)
                    && !hosts.Any(h => Claims(h, sibling)))
                {
                    found.Add(SiteLints.Warning(host.Location, "ServerName",
                        $"requests for {sibling} fall through to the first virtual host of {group.Key} ({first.ServerName ?? first.Location.ToString()}), not to {host.ServerName}",
                        $"add ServerAlias {sibling} to this virtual host if it is the same site"));
                }
            }
        }
    }

    /// <summary>
    /// A &lt;VirtualHost *:P&gt; beside one for a specific address on P: a connection to that
    /// address is served by the virtual hosts listed with it alone (Apache tries the exact
    /// address before *), whatever name it asks for. Where every Listen of P is on such
    /// addresses, the * host is never reached at all.
    /// </summary>
    public static void WildcardHiddenByAddress(SiteConfig site, List<ConfigDiagnostic> found)
    {
        foreach (ServerScope wildcard in site.VirtualHosts)
        {
            foreach (int port in wildcard.Addresses.Where(a => a.Address == null && a.Port != null).Select(a => a.Port!.Value).Distinct())
            {
                var exact = site.VirtualHosts
                    .SelectMany(v => v.Addresses.Where(a => a.Address != null && a.Port == port).Select(a => (Host: v, a.Address)))
                    .ToList();
                if (exact.Count == 0)
                {
                    continue;
                }
                var listens = site.Listeners.Where(l => l.Port == port).ToList();
                bool unreachable = listens.Count > 0 && listens.All(l => l.Address != null && exact.Any(e => e.Address!.Equals(l.Address)));
                var (first, address) = exact[0];
                found.Add(SiteLints.Warning(wildcard.Location, "<VirtualHost>",
                    $"requests to {address}:{port} never reach this virtual host ({wildcard.ServerName ?? "no ServerName"}): the virtual host at {first.Location} lists that address, and Apache tries the exact address before *, whatever name is asked for"
                        + (unreachable ? $"; every Listen of port {port} is on such an address, so this virtual host is never reached" : ""),
                    $"write the same address form in both (both *:{port}, or both {address}:{port})"));
            }
        }
    }

    /// <summary>Whether <paramref name="host"/> names <paramref name="name"/> in its ServerName or a ServerAlias.</summary>
    private static bool Claims(ServerScope host, string name) =>
        (host.ServerName != null && host.ServerName.Equals(name, StringComparison.OrdinalIgnoreCase))
        || host.ServerAliases.Any(a => new HostPattern(a).Matches(name));

    private static int Choose(VirtualHostSelector selector, ServerScope host, string name)
    {
        var address = host.Addresses[0];
        return selector.Select(address.Address ?? System.Net.IPAddress.Loopback, address.Port ?? 80, name);
    }
}
