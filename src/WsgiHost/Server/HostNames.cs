using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace WsgiHost.Server;

/// <summary>
/// Reverse lookups for <c>Require host</c>, cached per address for the process lifetime (Apache
/// caches per connection; a restart picks up DNS changes). Only asked when a host rule exists.
/// </summary>
internal static class HostNames
{
    private static readonly ConcurrentDictionary<IPAddress, string?> s_cache = new();

    public static string? Resolve(IPAddress address) => s_cache.GetOrAdd(address, static a =>
    {
        try
        {
            return Dns.GetHostEntry(a).HostName;
        }
        catch (SocketException)
        {
            return null;
        }
    });
}
