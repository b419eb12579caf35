using System.Security.Authentication;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using WsgiHost.Python.Wsgi;

namespace WsgiHost.Server;

/// <summary>
/// mod_ssl's SSLOptions +StdEnvVars for a TLS request, from the handshake Kestrel made:
/// SSL_PROTOCOL in OpenSSL's spelling (TLSv1.3), SSL_CIPHER (the IANA suite name, which is
/// OpenSSL's too for TLS 1.3), SSL_TLS_SNI, SSL_VERSION_INTERFACE. No client certificates are
/// requested, so the SSL_CLIENT_* variables are absent, as mod_ssl leaves them without one.
/// </summary>
internal static class SslVariables
{
    public static void Write(HttpContext context, IEnvironSink sink)
    {
        if (context.Features.Get<ITlsHandshakeFeature>() is not { } tls)
        {
            return;
        }
        sink.Add("SSL_PROTOCOL", tls.Protocol switch
        {
            SslProtocols.Tls13 => "TLSv1.3",
            SslProtocols.Tls12 => "TLSv1.2",
            _ => tls.Protocol.ToString(),
        });
        if (tls.NegotiatedCipherSuite is { } suite)
        {
            sink.Add("SSL_CIPHER", suite.ToString());
        }
        if (!string.IsNullOrEmpty(tls.HostName))
        {
            sink.Add("SSL_TLS_SNI", tls.HostName);
        }
        sink.Add("SSL_VERSION_INTERFACE", "WsgiHost (.NET SslStream)");
    }
}
