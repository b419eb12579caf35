using System.Net;
using System.Net.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using WsgiHost.Configuration.Model;
using WsgiHost.Routing;

namespace WsgiHost.Server;

/// <summary>
/// Binds Kestrel to exactly the Listen addresses. A listener that a virtual host with
/// SSLEngine on covers speaks TLS, choosing the certificate by SNI among those virtual hosts
/// (ServerName or ServerAlias), else the first of them, as mod_ssl does.
/// </summary>
internal static class Listeners
{
    public static void Bind(KestrelServerOptions options, SiteConfig site, Python.Runtime.IErrorLog log)
    {
        foreach (ListenAddress listen in site.Listeners)
        {
            var tlsHosts = site.VirtualHosts
                .Where(v => v.Tls != null && v.Addresses.Any(a => (a.Port == null || a.Port == listen.Port) && (a.Address == null || listen.Address == null || a.Address.Equals(listen.Address))))
                .ToList();
            var covering = site.VirtualHosts.Where(v => v.Addresses.Any(a => (a.Port == null || a.Port == listen.Port) && (a.Address == null || listen.Address == null || a.Address.Equals(listen.Address)))).ToList();
            bool proxyProtocol = covering.Count > 0 ? covering.Any(v => v.ProxyProtocol) : site.MainServer.ProxyProtocol;
            // ALPN is settled per port before a virtual host is chosen: h2 if one of the port's TLS hosts speaks it.
            bool http2 = tlsHosts.Any(v => v.SpeaksHttp2);
            void Configure(ListenOptions l)
            {
                if (proxyProtocol)
                {
                    // First of all: the PROXY header precedes TLS and HTTP on the wire.
                    l.Use(next => Proxy.ProxyProtocolMiddleware.Create(next, log));
                }
                if (tlsHosts.Count > 0)
                {
                    l.Protocols = http2 ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http1;
                    var certificates = tlsHosts.Select(v => (Names: Names(v), Context: TlsCertificate.Load(v.Tls!), Tls: v.Tls!)).ToList();
                    // Before the TLS layer, so it sees the client's first bytes as they are.
                    l.Use(PlainHttpOnTlsPort.Middleware);
                    // Options per connection (Kestrel adds the ALPN protocols to them), each
                    // carrying a context made once (TlsCertificate).
                    l.UseHttps(new TlsHandshakeCallbackOptions
                    {
                        OnConnection = context =>
                        {
                            string? sni = context.ClientHelloInfo.ServerName;
                            var (certificate, tls) = Select(certificates, sni);
                            // For the requests: a Host naming a virtual host with other TLS settings is misdirected (421).
                            context.Connection.Items[TlsHandshake.Key] = new TlsHandshake(string.IsNullOrEmpty(sni) ? null : sni, tls);
                            return ValueTask.FromResult(new SslServerAuthenticationOptions
                            {
                                ServerCertificateContext = certificate,
                                EnabledSslProtocols = tls.Protocols ?? System.Security.Authentication.SslProtocols.None,
                            });
                        },
                    });
                }
            }
            if (listen.Address == null)
            {
                options.ListenAnyIP(listen.Port, Configure);
            }
            else
            {
                options.Listen(listen.Address, listen.Port, Configure);
            }
        }
    }

    private static HostPattern[] Names(ServerScope v) =>
        [.. (v.ServerName == null ? Array.Empty<string>() : [v.ServerName]).Concat(v.ServerAliases).Select(n => new HostPattern(n))];

    /// <summary>The virtual host the client named (SNI), else the first: its certificate and TLS settings.</summary>
    private static (SslStreamCertificateContext Context, TlsConfig Tls) Select(
        List<(HostPattern[] Names, SslStreamCertificateContext Context, TlsConfig Tls)> hosts, string? sniName)
    {
        if (!string.IsNullOrEmpty(sniName))
        {
            foreach (var (names, context, tls) in hosts)
            {
                if (names.Any(n => n.Matches(sniName)))
                {
                    return (context, tls);
                }
            }
        }
        return (hosts[0].Context, hosts[0].Tls);
    }

    /// <summary>Addresses as URLs for the startup lines.</summary>
    public static IEnumerable<string> Describe(SiteConfig site) => site.Listeners.Select(l =>
    {
        bool tls = site.VirtualHosts.Any(v => v.Tls != null && v.Addresses.Any(a => a.Port == null || a.Port == l.Port));
        string host = l.Address == null ? "*" : l.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{l.Address}]" : l.Address.ToString();
        return $"{(tls ? "https" : "http")}://{host}:{l.Port}";
    });
}
