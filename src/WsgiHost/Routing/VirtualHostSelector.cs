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
    // Arrays, not the keys' lists: a foreach over an IReadOnlyList allocates an enumerator, per host and request.
    private readonly IPEndPointPattern[][] _addresses;
    private readonly HostPattern[][] _names;

    public VirtualHostSelector(IReadOnlyList<VirtualHostKey> hosts)
    {
        _addresses = [.. hosts.Select(h => h.Addresses.ToArray())];
        _names = [.. hosts.Select(h => (h.ServerName == null ? [] : new[] { h.ServerName }).Concat(h.ServerAliases).Select(n => new HostPattern(n)).ToArray())];
    }

    /// <summary>The index of the virtual host that serves the request, or -1 for the main server.</summary>
    /// <remarks>
    /// Two passes over the hosts instead of a list of candidates: this runs for every request,
    /// and the lists cost ~12 KB of garbage per request with 200 virtual hosts.
    /// </remarks>
    public int Select(IPAddress local, int port, string? hostName)
    {
        AddressMatch wanted = AddressMatch.Wildcard;
        for (int i = 0; i < _addresses.Length; i++)
        {
            if (Match(i, local, port) == AddressMatch.Exact)
            {
                wanted = AddressMatch.Exact;
                break;
            }
        }
        string? host = string.IsNullOrEmpty(hostName) ? null : HostPattern.Normalize(hostName);
        int first = -1;
        for (int i = 0; i < _addresses.Length; i++)
        {
            if (Match(i, local, port) != wanted)
            {
                continue;
            }
            if (host == null)
            {
                return i;
            }
            if (first < 0)
            {
                first = i;
            }
            foreach (HostPattern name in _names[i])
            {
                if (name.MatchesNormalized(host))
                {
                    return i;
                }
            }
        }
        return first;
    }

    private enum AddressMatch
    {
        None,
        Exact,
        Wildcard,
    }

    /// <summary>
    /// How virtual host <paramref name="i"/> matches the address and port: by its first matching
    /// address. The candidates are the hosts naming the IP exactly if there is any, else the wildcard ones.
    /// </summary>
    private AddressMatch Match(int i, IPAddress local, int port)
    {
        foreach (IPEndPointPattern address in _addresses[i])
        {
            if (address.Matches(local, port))
            {
                return address.Address == null ? AddressMatch.Wildcard : AddressMatch.Exact;
            }
        }
        return AddressMatch.None;
    }
}
