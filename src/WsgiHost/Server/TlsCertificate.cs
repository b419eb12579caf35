using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using WsgiHost.Configuration.Model;

namespace WsgiHost.Server;

/// <summary>
/// A virtual host's certificate, its key and the intermediates sent with it, made once at start
/// into the context every handshake reuses. Handing SslStream a bare certificate instead (a
/// certificate selector) makes it build the chain again, and a new OpenSSL context, for every
/// connection: a third more CPU a new TLS connection than Apache's mod_ssl took, and no TLS
/// session resumption, which .NET keeps per reused context.
/// </summary>
internal static class TlsCertificate
{
    /// <summary>
    /// Loads the PEM files as mod_ssl reads them: the key may be in the certificate file, the
    /// certificate file may carry intermediates after the server's certificate (mod_ssl 2.4.8+),
    /// and SSLCertificateChainFile names more. Offline: the chain is what the files hold, never
    /// fetched (a server start must not wait on the network).
    /// </summary>
    public static SslStreamCertificateContext Load(TlsConfig tls)
    {
        X509Certificate2 certificate = X509Certificate2.CreateFromPemFile(tls.CertificateFile, tls.KeyFile ?? tls.CertificateFile);
        var intermediates = new X509Certificate2Collection();
        intermediates.ImportFromPemFile(tls.CertificateFile);
        if (tls.ChainFile != null)
        {
            intermediates.ImportFromPemFile(tls.ChainFile);
        }
        foreach (X509Certificate2 same in intermediates.Where(c => c.RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span)).ToList())
        {
            intermediates.Remove(same);
        }
        return SslStreamCertificateContext.Create(certificate, intermediates, offline: true);
    }
}
