using System.Collections.Concurrent;
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
/// <remarks>
/// Which hosts an address and port select is worked out once per local endpoint, with their
/// names indexed (<see cref="VirtualHostCandidates"/>): trying every host's address and names
/// on each request, as Apache does, served a host listed 10,000th at a third of the rate of the first.
/// </remarks>
internal sealed class VirtualHostSelector
{
    /// <summary>Local endpoints remembered: a server listens on a few; past this many (a wildcard listener on a host with many addresses), the rest are worked out per request.</summary>
    private const int MaxEndpoints = 64;

    private readonly IPEndPointPattern[][] _addresses;
    private readonly HostPattern[][] _names;
    private readonly ConcurrentDictionary<(IPAddress Local, int Port), VirtualHostCandidates> _byEndpoint = new();

    public VirtualHostSelector(IReadOnlyList<VirtualHostKey> hosts)
    {
        _addresses = [.. hosts.Select(h => h.Addresses.ToArray())];
        _names = [.. hosts.Select(h => HostPattern.Of(h.ServerName, h.ServerAliases))];
    }

    /// <summary>The index of the virtual host that serves the request, or -1 for the main server.</summary>
    public int Select(IPAddress local, int port, string? hostName)
    {
        if (_addresses.Length == 0)
        {
            return -1;
        }
        if (!_byEndpoint.TryGetValue((local, port), out VirtualHostCandidates? candidates))
        {
            candidates = CandidatesFor(local, port);
            if (_byEndpoint.Count < MaxEndpoints)
            {
                _byEndpoint.TryAdd((local, port), candidates);
            }
        }
        return candidates.Select(hostName);
    }

    private VirtualHostCandidates CandidatesFor(IPAddress local, int port)
    {
        var matches = new AddressMatch[_addresses.Length];
        for (int i = 0; i < _addresses.Length; i++)
        {
            matches[i] = Match(i, local, port);
        }
        AddressMatch wanted = Array.IndexOf(matches, AddressMatch.Exact) >= 0 ? AddressMatch.Exact : AddressMatch.Wildcard;
        int[] hosts = [.. Enumerable.Range(0, _addresses.Length).Where(i => matches[i] == wanted)];
        return new VirtualHostCandidates(hosts, [.. hosts.Select(i => _names[i])]);
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
