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
            for (int i = 0; i < hosts.Count; i++)
            {
                ServerScope host = hosts[i];
                if (host.ServerName == null && site.MainServer.ServerName == null && hosts.Count > 1)
                {
                    found.Add(SiteLints.Warning(host.Location, "<VirtualHost>",
                        $"this virtual host has no ServerName, so {(i == 0 ? "it only receives requests no other virtual host of its address claims" : "no request can select it by name; it is unreachable")}",
                        "add ServerName with the site's host name"));
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
