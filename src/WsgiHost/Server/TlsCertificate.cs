using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using WsgiHost.Configuration.Model;

namespace WsgiHost.Server;

/// <summary>
/// A virtual host's certificate, its key and the intermediates sent with it, made once at start
/// into the context every handshake reuses. Handing SslStream a bare certificate instead (a
/// certificate selector) makes it build a certificate context, the chain included, again for
/// every connection: 40% more CPU a new TLS connection than Apache's mod_ssl took (bench/tls.sh).
/// </summary>
internal static class TlsCertificate
{
    /// <summary>
    /// Loads the PEM files as mod_ssl reads them: the key may be in the certificate file, the
    /// certificate file may carry intermediates after the server's certificate (mod_ssl 2.4.8+),
    /// and SSLCertificateChainFile names more. Offline: the chain is what the files hold, never
    /// fetched (a server start must not wait on the network).
    /// </summary>
    /// <exception cref="InvalidOperationException">A file that does not hold what it must, named with the virtual host's SSLEngine line.</exception>
    public static SslStreamCertificateContext Load(TlsConfig tls)
    {
        string key = tls.KeyFile ?? tls.CertificateFile;
        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(tls.CertificateFile, key);
        }
        catch (CryptographicException e)
        {
            throw Refused(tls, $"SSLCertificateFile '{tls.CertificateFile}' with the key in '{key}': {e.Message}",
                "the certificate file needs the server's PEM certificate first, the key file (or the certificate file) its PEM private key, unencrypted");
        }
        var intermediates = new X509Certificate2Collection();
        intermediates.ImportFromPemFile(tls.CertificateFile);
        if (tls.ChainFile != null)
        {
            int before = intermediates.Count;
            try
            {
                intermediates.ImportFromPemFile(tls.ChainFile);
            }
            catch (CryptographicException e)
            {
                throw Refused(tls, $"SSLCertificateChainFile '{tls.ChainFile}': {e.Message}", "the file needs the intermediate CA certificates, PEM, one after another");
            }
            if (intermediates.Count == before)
            {
                throw Refused(tls, $"SSLCertificateChainFile '{tls.ChainFile}' holds no PEM certificate", "the file needs the intermediate CA certificates, PEM, one after another");
            }
        }
        foreach (X509Certificate2 same in intermediates.Where(c => c.RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span)).ToList())
        {
            intermediates.Remove(same);
        }
        return SslStreamCertificateContext.Create(certificate, intermediates, offline: true);
    }

    private static InvalidOperationException Refused(TlsConfig tls, string what, string fix) =>
        new($"{tls.Location}: SSLEngine on: cannot load {what} (fix: {fix})");
}
