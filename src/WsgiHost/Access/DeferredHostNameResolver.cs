using System.Net;

namespace WsgiHost.Access;

/// <summary>
/// A resolver for a first, non-blocking evaluation of the access rules: it never asks DNS, it
/// throws <see cref="HostLookupNeededException"/>. Request handlers may run on the socket event
/// threads, which must not wait for a DNS server; only rules that really need a look-up (host
/// names in Require host / Allow from) are evaluated again, with <see cref="DnsHostNameResolver"/>,
/// on the thread pool. Evaluation is pure, so running it twice changes nothing.
/// </summary>
internal sealed class DeferredHostNameResolver : IHostNameResolver
{
    public static DeferredHostNameResolver Instance { get; } = new();

    public string? GetHostName(IPAddress address) => throw new HostLookupNeededException();

    public IReadOnlyList<IPAddress> GetAddresses(string hostName) => throw new HostLookupNeededException();
}

/// <summary>The access rules need a DNS look-up: evaluate them again where blocking is allowed.</summary>
internal sealed class HostLookupNeededException : Exception
{
    public HostLookupNeededException()
        : base("the access rules need a DNS look-up")
    {
    }
}
