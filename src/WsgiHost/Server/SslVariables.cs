using System.Security.Authentication;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using WsgiHost.Python.Wsgi;

namespace WsgiHost.Server;

/// <summary>
/// mod_ssl's SSLOptions +StdEnvVars for a TLS request, from the handshake Kestrel made:
/// SSL_PROTOCOL in OpenSSL's spelling (TLSv1.3), SSL_CIPHER (the IANA suite name, which is
/// OpenSSL's too for TLS 1.3), SSL_TLS_SNI, SSL_VERSION_INTERFACE, the server certificate's
/// SSL_SERVER_* and, for a virtual host with SSLVerifyClient, SSL_CLIENT_VERIFY and the client
/// certificate's SSL_CLIENT_* (absent when it sent none, as mod_ssl leaves them).
/// </summary>
internal static class SslVariables
{
    /// <param name="exportCertData">SSLOptions +ExportCertData: the certificates themselves too (SSL_SERVER_CERT, SSL_CLIENT_CERT).</param>
    public static void Write(HttpContext context, IEnvironSink sink, bool exportCertData = false)
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
            // OpenSSL's name, as mod_ssl gives it (ECDHE-RSA-AES256-GCM-SHA384 over TLS 1.2), with its key sizes.
            if (OpenSslCipherNames.Of(suite.ToString()) is var (name, useBits, algBits))
            {
                sink.Add("SSL_CIPHER", name);
                sink.Add("SSL_CIPHER_USEKEYSIZE", useBits.ToString(System.Globalization.CultureInfo.InvariantCulture));
                sink.Add("SSL_CIPHER_ALGKEYSIZE", algBits.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                sink.Add("SSL_CIPHER", suite.ToString());
            }
            sink.Add("SSL_CIPHER_EXPORT", "false");
        }
        sink.Add("SSL_COMPRESS_METHOD", "NULL");
        if (!string.IsNullOrEmpty(tls.HostName))
        {
            sink.Add("SSL_TLS_SNI", tls.HostName);
        }
        sink.Add("SSL_VERSION_INTERFACE", "WsgiHost (.NET SslStream)");
        if (OpenSslCipherNames.Library is string library)
        {
            sink.Add("SSL_VERSION_LIBRARY", library);
        }
        TlsHandshake? handshake = TlsHandshake.Of(context);
        if (handshake?.ServerCertificate is { } server)
        {
            CertificateVariables.Write("SSL_SERVER", server, exportCertData, sink);
        }
        sink.Add("SSL_CLIENT_VERIFY", handshake?.ClientVerify ?? "NONE");
        if (context.Connection.ClientCertificate is { } client)
        {
            CertificateVariables.Write("SSL_CLIENT", client, exportCertData, sink);
        }
        else if (exportCertData)
        {
            sink.Add("SSL_CLIENT_CERT", ""); // as mod_ssl: set, and empty, when no certificate came
        }
    }
}
