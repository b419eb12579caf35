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
/// (<see cref="TlsVirtualHosts"/>).
/// </summary>
internal static class Listeners
{
    /// <summary>Binds every Listen address; the TLS ones are returned, for SIGHUP to load their certificates again.</summary>
    /// <param name="gate">Counts each connection until its first request, ahead of everything else (TLS handshakes included); null for none.</param>
    /// <exception cref="InvalidOperationException">A certificate that cannot be loaded (<see cref="TlsCertificate.Load"/>).</exception>
    public static IReadOnlyList<TlsVirtualHosts> Bind(KestrelServerOptions options, SiteConfig site, Python.Runtime.IErrorLog log, FirstRequestGate? gate = null)
    {
        var tlsListeners = new List<TlsVirtualHosts>();
        foreach (ListenAddress listen in site.Listeners)
        {
            TlsVirtualHosts? tls = TlsVirtualHosts.Load(site, listen);
            if (tls != null)
            {
                tlsListeners.Add(tls);
            }
            var covering = site.VirtualHosts.Where(listen.Reaches).ToList();
            bool proxyProtocol = covering.Count > 0 ? covering.Any(v => v.ProxyProtocol) : site.MainServer.ProxyProtocol;
            void Configure(ListenOptions l)
            {
                if (gate != null)
                {
                    l.Use(gate.Middleware);
                }
                if (proxyProtocol)
                {
                    // First of all: the PROXY header precedes TLS and HTTP on the wire.
                    l.Use(next => Proxy.ProxyProtocolMiddleware.Create(next, log));
                }
                if (tls != null)
                {
                    l.Protocols = tls.SpeaksHttp2 ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http1;
                    // Before the TLS layer, so it sees the client's first bytes as they are.
                    l.Use(PlainHttpOnTlsPort.Middleware);
                    // Options per connection (Kestrel adds the ALPN protocols to them), each
                    // carrying a context made once (TlsCertificate).
                    l.UseHttps(new TlsHandshakeCallbackOptions
                    {
                        OnConnection = context =>
                        {
                            var (certificate, handshake) = tls.Select(context.ClientHelloInfo.ServerName);
                            // For the requests: a Host naming a virtual host with other TLS settings is misdirected (421).
                            context.Connection.Items[TlsHandshake.Key] = handshake;
                            var options = new SslServerAuthenticationOptions
                            {
                                ServerCertificateContext = certificate,
                                EnabledSslProtocols = handshake.Tls.Protocols ?? System.Security.Authentication.SslProtocols.None,
                                CipherSuitesPolicy = handshake.CipherSuites,
                            };
                            if (handshake.ClientCertificates is { } verifier)
                            {
                                // SSLVerifyClient: asked for in the handshake; what the check
                                // decided stays with the connection (SSL_CLIENT_VERIFY).
                                options.ClientCertificateRequired = true;
                                options.RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
                                {
                                    var client = certificate as System.Security.Cryptography.X509Certificates.X509Certificate2
                                        ?? (certificate == null ? null : new System.Security.Cryptography.X509Certificates.X509Certificate2(certificate));
                                    (bool accept, string verify) = verifier.Check(client, chain);
                                    handshake.ClientVerify = verify;
                                    if (!accept)
                                    {
                                        ClientCertificateVerifier.LogRefusal(log, context.Connection.RemoteEndPoint?.ToString(), client, verify);
                                    }
                                    return accept;
                                };
                            }
                            return ValueTask.FromResult(options);
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
        return tlsListeners;
    }

    /// <summary>Addresses as URLs for the startup lines.</summary>
    public static IEnumerable<string> Describe(SiteConfig site) => site.Listeners.Select(l =>
    {
        bool tls = site.VirtualHosts.Any(v => v.Tls != null && v.Addresses.Any(a => a.Port == null || a.Port == l.Port));
        string host = l.Address == null ? "*" : l.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{l.Address}]" : l.Address.ToString();
        return $"{(tls ? "https" : "http")}://{host}:{l.Port}";
    });
}
