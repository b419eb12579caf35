using System.Net;
using System.Net.Sockets;

namespace WsgiHost.Access;

/// <summary>
/// <see cref="IHostNameResolver"/> over the system resolver. The calls block, as Apache's do; they are made only
/// when a host rule is evaluated, at most twice per request. A failed look-up is "no name", never an exception,
/// so a DNS outage denies host-based access instead of failing the request.
/// </summary>
internal sealed class DnsHostNameResolver : IHostNameResolver
{
    public static DnsHostNameResolver Instance { get; } = new();

    public string? GetHostName(IPAddress address)
    {
        try
        {
            var name = Dns.GetHostEntry(address).HostName;
            // The resolver gives the address back as text when there is no PTR record.
            return string.IsNullOrEmpty(name) || IPAddress.TryParse(name, out _) ? null : name;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    public IReadOnlyList<IPAddress> GetAddresses(string hostName)
    {
        try
        {
            return Dns.GetHostAddresses(hostName);
        }
        catch (SocketException)
        {
            return [];
        }
    }
}
