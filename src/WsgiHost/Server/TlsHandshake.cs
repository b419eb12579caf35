using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using WsgiHost.Configuration.Model;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Server;

/// <summary>
/// What a TLS connection's handshake settled: the name the client sent (SNI, null when it sent
/// none), the TLS settings of the virtual host it chose and that host's name. Kept in the
/// connection's items by <see cref="Listeners"/>.
/// </summary>
internal sealed record TlsHandshake(string? ServerName, TlsConfig Tls, string HostName)
{
    public static readonly object Key = new();

    /// <summary>The handshake's SSLCipherSuite, as .NET takes it; null for OpenSSL's defaults.</summary>
    public System.Net.Security.CipherSuitesPolicy? CipherSuites { get; init; }

    /// <summary>The certificate the server presented (SSL_SERVER_* variables).</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? ServerCertificate { get; init; }

    /// <summary>SSLVerifyClient's check for the virtual host chosen; null when no certificate is asked for.</summary>
    public ClientCertificateVerifier? ClientCertificates { get; init; }

    /// <summary>SSL_CLIENT_VERIFY: NONE until a certificate was checked, then SUCCESS, GENEROUS or FAILED:reason (set during the handshake).</summary>
    public string ClientVerify { get; set; } = "NONE";

    /// <summary>The connection's handshake, or null for a request not over TLS.</summary>
    public static TlsHandshake? Of(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items is { } items && items.TryGetValue(Key, out object? value) ? value as TlsHandshake : null;

    /// <summary>
    /// mod_ssl's check of each request on a TLS connection: with SNI, a request without a Host
    /// is refused (400, AH02031); a request whose Host selects a virtual host with other TLS
    /// settings than the handshake's is misdirected (421, AH02032), with SNI or without (then
    /// the handshake was the address's first TLS host's, as in Apache 2.4.64 and later).
    /// Otherwise the handshake's SSLProtocol (or certificate) would be bypassed: a TLS 1.2
    /// handshake for a host that allows it, then Host naming a host that allows only TLS 1.3.
    /// </summary>
    /// <returns>The status to answer with, or 0 when the request may go on.</returns>
    public static int Check(HttpContext context, ServerScope scope, string host, IErrorLog log)
    {
        if (Of(context) is not { } handshake)
        {
            return 0;
        }
        if (handshake.ServerName == null && (handshake.Tls.StrictSni || scope.Tls?.StrictSni == true))
        {
            // SSLStrictSNIVHostCheck on, in the handshake's host or the request's: no way in without SNI.
            log.Write(ErrorLogLevel.Error, "ssl", $"[client {WsgiDispatch.Client(context)}] AH02033: No hostname was provided via SNI for a name based virtual host");
            return StatusCodes.Status403Forbidden;
        }
        if (host.Length == 0)
        {
            if (handshake.ServerName is not string sni)
            {
                // HTTP/1.0 without Host and without SNI: the handshake's host serves it.
                return 0;
            }
            log.Write(ErrorLogLevel.Error, "ssl", $"[client {WsgiDispatch.Client(context)}] AH02031: Hostname {sni} provided via SNI, but no hostname provided in HTTP request");
            return StatusCodes.Status400BadRequest;
        }
        if (scope.Tls is { } tls && Compatible(tls, handshake.Tls))
        {
            return 0;
        }
        string handshakeName = handshake.ServerName is string named ? $"{named} provided via SNI" : $"{handshake.HostName} (default host as no SNI was provided)";
        log.Write(ErrorLogLevel.Error, "ssl",
            $"[client {WsgiDispatch.Client(context)}] AH02032: Hostname {handshakeName} and hostname {KestrelExchange.SplitHost(host).Host} provided via HTTP have no compatible SSL setup");
        return StatusCodes.Status421MisdirectedRequest;
    }

    /// <summary>Same certificate, key, chain, protocols, ciphers and client certificate check: a handshake for one serves the other as well (a shared or wildcard certificate).</summary>
    private static bool Compatible(TlsConfig a, TlsConfig b) => ReferenceEquals(a, b)
        || (a.CertificateFile == b.CertificateFile && a.KeyFile == b.KeyFile && a.ChainFile == b.ChainFile && a.Protocols == b.Protocols
            && (a.CipherSuites ?? []).SequenceEqual(b.CipherSuites ?? []) && a.ClientCertificates == b.ClientCertificates);
}
