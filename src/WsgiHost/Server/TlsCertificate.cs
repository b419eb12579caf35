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
    /// fetched (a server start must not wait on the network). `wsgihost check` loads them the
    /// same way, so what check passes, run starts with.
    /// </summary>
    /// <exception cref="TlsCertificateException">A file that does not hold what it must, named with the virtual host's SSLEngine line.</exception>
    /// <exception cref="IOException">A file that cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">A file this user may not read.</exception>
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
            throw new TlsCertificateException(tls, $"SSLCertificateFile '{tls.CertificateFile}' with the key in '{key}': {Diagnose(tls.CertificateFile, key) ?? e.Message}",
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
                throw new TlsCertificateException(tls, $"SSLCertificateChainFile '{tls.ChainFile}': {e.Message}", "the file needs the intermediate CA certificates, PEM, one after another");
            }
            if (intermediates.Count == before)
            {
                throw new TlsCertificateException(tls, $"SSLCertificateChainFile '{tls.ChainFile}' holds no PEM certificate", "the file needs the intermediate CA certificates, PEM, one after another");
            }
        }
        foreach (X509Certificate2 same in intermediates.Where(c => c.RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span)).ToList())
        {
            intermediates.Remove(same);
        }
        return SslStreamCertificateContext.Create(certificate, intermediates, offline: true);
    }

    /// <summary>
    /// Which of the usual causes .NET's one message ("do not contain a PEM, malformed, or the
    /// key does not match") stands for: a DER certificate, an encrypted key, a key of another
    /// certificate. Null when none of them is it.
    /// </summary>
    private static string? Diagnose(string certificateFile, string keyFile)
    {
        string certificateText = File.ReadAllText(certificateFile);
        if (!certificateText.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
        {
            return "the certificate file is not PEM (a DER file? openssl x509 -inform der -in FILE -out FILE.pem makes it PEM)";
        }
        string keyText = File.ReadAllText(keyFile);
        if (keyText.Contains("ENCRYPTED", StringComparison.Ordinal))
        {
            return "the key is encrypted with a pass phrase, which a server that starts unattended cannot type (SSLPassPhraseDialog is not supported); openssl pkey -in KEY -out KEY.plain writes it unencrypted";
        }
        if (!keyText.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
        {
            return $"'{keyFile}' holds no PEM private key";
        }
        try
        {
            using X509Certificate2 certificate = X509Certificate2.CreateFromPem(certificateText);
            using AsymmetricAlgorithm? key = certificate.GetKeyAlgorithm() switch
            {
                "1.2.840.113549.1.1.1" => RSA.Create(),
                "1.2.840.10045.2.1" => ECDsa.Create(),
                _ => null,
            };
            if (key == null)
            {
                return null;
            }
            key.ImportFromPem(keyText);
            return "the key does not match the certificate (the key of another certificate: a renewal that replaced one file of the two?)";
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}

/// <summary>A virtual host's certificate files that do not hold what the server needs: what is wrong and the fix, with the SSLEngine line.</summary>
internal sealed class TlsCertificateException(TlsConfig tls, string what, string fix)
    : InvalidOperationException($"{tls.Location}: SSLEngine on: cannot load {what} (fix: {fix})")
{
    public string What { get; } = what;

    public string Fix { get; } = fix;
}
