using System.Net;
using WsgiHost.Routing;

namespace WsgiHost.Server;

/// <summary>
/// The scopes of a site and Apache's choice among them for a connection and Host header: the
/// immutable routing snapshot, swapped whole when SIGHUP reloads the configuration.
/// </summary>
internal sealed class SiteRouting(Configuration.Model.SiteConfig site, VirtualHostSelector selector, ScopeRuntime[] virtualHosts, ScopeRuntime main)
{
    public Configuration.Model.SiteConfig Site { get; } = site;

    public ScopeRuntime Select(IPAddress? local, int port, string host)
    {
        if (virtualHosts.Length == 0)
        {
            return main;
        }
        int i = selector.Select(local ?? IPAddress.Loopback, port, host);
        return i < 0 ? main : virtualHosts[i];
    }
}
