using WsgiHost.Access;

namespace WsgiHost.Configuration.Model;

/// <summary>
/// mod_remoteip for a scope: <see cref="Header"/> (RemoteIPHeader) names the header a proxy puts
/// the client's address in; <see cref="Internal"/> (RemoteIPInternalProxy) and
/// <see cref="Trusted"/> (RemoteIPTrustedProxy) are the proxies believed, both empty meaning
/// every peer is; <see cref="ProxiesHeader"/> (RemoteIPProxiesHeader) receives the trusted
/// proxies passed through.
/// </summary>
internal sealed record RemoteIpConfig(string? Header, IReadOnlyList<IpNetwork> Internal, IReadOnlyList<IpNetwork> Trusted, string? ProxiesHeader)
{
    public static readonly RemoteIpConfig None = new(null, [], [], null);
}
