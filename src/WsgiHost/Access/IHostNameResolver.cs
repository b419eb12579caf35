using System.Net;

namespace WsgiHost.Access;

/// <summary>
/// The DNS look-ups that host rules need. Injectable so tests and callers with a cache need no DNS;
/// <see cref="DnsHostNameResolver"/> asks the system resolver.
/// </summary>
internal interface IHostNameResolver
{
    /// <summary>The name the address's PTR record gives, or null when there is none.</summary>
    string? GetHostName(IPAddress address);

    /// <summary>The addresses a name resolves to; empty when it does not resolve.</summary>
    IReadOnlyList<IPAddress> GetAddresses(string hostName);
}
