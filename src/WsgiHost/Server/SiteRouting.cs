using System.Net;
using WsgiHost.Routing;

namespace WsgiHost.Server;

/// <summary>The scopes of a site and Apache's choice among them for a connection and Host header.</summary>
internal sealed class SiteRouting(VirtualHostSelector selector, ScopeRuntime[] virtualHosts, ScopeRuntime main)
{
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
