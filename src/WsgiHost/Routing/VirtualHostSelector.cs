using System.Net;

namespace WsgiHost.Routing;

/// <summary>One virtual host as the selector sees it: where it listens and which names it answers to.</summary>
internal sealed record VirtualHostKey(IReadOnlyList<IPEndPointPattern> Addresses, string? ServerName, IReadOnlyList<string> ServerAliases);

/// <summary>A &lt;VirtualHost addr:port&gt; address: a specific IP or "*" (any), and a port or "*".</summary>
internal readonly record struct IPEndPointPattern(IPAddress? Address, int? Port)
{
    public bool Matches(IPAddress local, int port) =>
        (Port == null || Port == port) && (Address == null || Address.Equals(local) || (local.IsIPv4MappedToIPv6 && Address.Equals(local.MapToIPv4())));

    public override string ToString() => $"{Address?.ToString() ?? "*"}:{Port?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "*"}";
}

/// <summary>
/// Apache's name-based virtual host selection. Among the virtual hosts whose address
/// matches the connection's local address and port (exact IP before "*"), the first whose
/// ServerName or ServerAlias matches the Host header serves the request; when none does (or
/// there is no Host), the first of them does. When no virtual host matches the address, the
/// main server (index -1) does.
/// </summary>
internal sealed class VirtualHostSelector
{
    private readonly IReadOnlyList<VirtualHostKey> _hosts;
    private readonly HostPattern[][] _names;

    public VirtualHostSelector(IReadOnlyList<VirtualHostKey> hosts)
    {
        _hosts = hosts;
        _names = [.. hosts.Select(h => (h.ServerName == null ? [] : new[] { h.ServerName }).Concat(h.ServerAliases).Select(n => new HostPattern(n)).ToArray())];
    }

    /// <summary>The index of the virtual host that serves the request, or -1 for the main server.</summary>
    public int Select(IPAddress local, int port, string? hostName)
    {
        List<int> candidates = Candidates(local, port);
        if (candidates.Count == 0)
        {
            return -1;
        }
        if (!string.IsNullOrEmpty(hostName))
        {
            foreach (int i in candidates)
            {
                foreach (HostPattern name in _names[i])
                {
                    if (name.Matches(hostName))
                    {
                        return i;
                    }
                }
            }
        }
        return candidates[0];
    }

    /// <summary>Virtual hosts for this address and port: those naming the IP exactly, else the wildcard ones.</summary>
    internal List<int> Candidates(IPAddress local, int port)
    {
        var exact = new List<int>();
        var wildcard = new List<int>();
        for (int i = 0; i < _hosts.Count; i++)
        {
            foreach (IPEndPointPattern address in _hosts[i].Addresses)
            {
                if (address.Matches(local, port))
                {
                    (address.Address == null ? wildcard : exact).Add(i);
                    break;
                }
            }
        }
        return exact.Count > 0 ? exact : wildcard;
    }
}
