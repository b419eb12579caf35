using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using WsgiHost.Configuration.Model;

namespace WsgiHost.Server;

/// <summary>
/// SSLVerifyClient for one TLS virtual host: the client certificate a handshake brings is
/// checked against the CA certificates of SSLCACertificateFile/Path alone (never the system's
/// store, as mod_ssl trusts only what it is given), through at most SSLVerifyDepth CAs, and the
/// outcome is what mod_ssl puts in SSL_CLIENT_VERIFY: NONE, SUCCESS, GENEROUS (optional_no_ca
/// let an unverified one through) or FAILED:reason. Revocation is not checked (no
/// SSLCARevocationFile), as mod_ssl does not without one.
/// </summary>
internal sealed class ClientCertificateVerifier
{
    private readonly X509Certificate2Collection _authorities;

    private ClientCertificateVerifier(ClientCertificateConfig config, X509Certificate2Collection authorities)
    {
        Config = config;
        _authorities = authorities;
    }

    public ClientCertificateConfig Config { get; }

    /// <summary>Loads the CA certificates named; <c>wsgihost check</c> does the same, so what check passes, run starts with.</summary>
    /// <exception cref="TlsCertificateException">A CA file or folder that holds no PEM certificate.</exception>
    public static ClientCertificateVerifier Load(TlsConfig tls, ClientCertificateConfig config)
    {
        var authorities = new X509Certificate2Collection();
        if (config.CaFile != null)
        {
            try
            {
                authorities.ImportFromPemFile(config.CaFile);
            }
            catch (CryptographicException e)
            {
                throw new TlsCertificateException(tls, $"SSLCACertificateFile '{config.CaFile}': {e.Message}", "the file needs the CA certificates, PEM, one after another");
            }
            if (authorities.Count == 0)
            {
                throw new TlsCertificateException(tls, $"SSLCACertificateFile '{config.CaFile}' holds no PEM certificate", "the file needs the CA certificates, PEM, one after another");
            }
        }
        if (config.CaPath != null)
        {
            int before = authorities.Count;
            // mod_ssl looks certificates up by their hash links (c_rehash); every PEM file in the
            // folder is read instead, which finds the same certificates without the links.
            foreach (string file in Directory.EnumerateFiles(config.CaPath).Order(StringComparer.Ordinal))
            {
                try
                {
                    authorities.ImportFromPemFile(file);
                }
                catch (CryptographicException)
                {
                    // Not a certificate (a CRL, a README): as OpenSSL passes over it.
                }
            }
            if (authorities.Count == before && config.CaFile == null)
            {
                throw new TlsCertificateException(tls, $"SSLCACertificatePath '{config.CaPath}' holds no PEM certificate", "put the PEM certificates of the CAs that sign your clients' certificates in the folder");
            }
        }
        return new ClientCertificateVerifier(config, authorities);
    }

    /// <summary>
    /// The handshake's check. Returns whether the handshake goes on, and SSL_CLIENT_VERIFY's value.
    /// </summary>
    /// <param name="certificate">The client's certificate; null when it sent none.</param>
    /// <param name="sent">The chain .NET built for it, whose extra store holds the intermediates the client sent.</param>
    public (bool Accept, string Verify) Check(X509Certificate2? certificate, X509Chain? sent)
    {
        if (certificate == null)
        {
            return (Config.Mode != ClientVerifyMode.Require, "NONE");
        }
        (string? failure, bool issuerOnly) = Failure(certificate, sent);
        if (failure == null)
        {
            return (true, "SUCCESS");
        }
        // optional_no_ca lets through a certificate whose issuer is unknown here, and says so;
        // one that fails for another reason (expired, not for client authentication) is
        // refused as by optional and require, as mod_ssl forgives only the issuer errors
        // (QA: an expired certificate got in as GENEROUS).
        return Config.Mode == ClientVerifyMode.OptionalNoCa && issuerOnly ? (true, "GENEROUS") : (false, "FAILED:" + failure);
    }

    /// <summary>
    /// The refusal in the error log, as mod_ssl words it: the reason with the certificate's
    /// subject, issuer and serial (AH02276, at info, as Apache logs a client's bad certificate),
    /// or a chain past SSLVerifyDepth (AH02040, an error: the configuration may be what is wrong).
    /// </summary>
    public static void LogRefusal(WsgiHost.Python.Runtime.IErrorLog log, string? client, X509Certificate2? certificate, string verify)
    {
        string reason = verify.StartsWith("FAILED:", StringComparison.Ordinal) ? verify["FAILED:".Length..] : verify;
        if (certificate == null)
        {
            log.Write(WsgiHost.Python.Runtime.ErrorLogLevel.Info, "ssl", $"[client {client}] AH02039: Certificate Verification: Error: peer did not return a certificate (SSLVerifyClient require)");
            return;
        }
        if (reason == ChainTooLong)
        {
            log.Write(WsgiHost.Python.Runtime.ErrorLogLevel.Error, "ssl", $"[client {client}] AH02040: Certificate Verification: Certificate Chain too long (subject: {CertificateVariables.Rfc2253(certificate.SubjectName)}; raise SSLVerifyDepth if its issuer is one of yours)");
            return;
        }
        log.Write(WsgiHost.Python.Runtime.ErrorLogLevel.Info, "ssl",
            $"[client {client}] AH02276: Certificate Verification: Error: {reason} [subject: {CertificateVariables.Rfc2253(certificate.SubjectName)} / issuer: {CertificateVariables.Rfc2253(certificate.IssuerName)} / serial: {certificate.SerialNumber} / notbefore: {CertificateVariables.OpenSslTime(certificate.NotBefore.ToUniversalTime())} / notafter: {CertificateVariables.OpenSslTime(certificate.NotAfter.ToUniversalTime())}]");
    }

    private const string ChainTooLong = "certificate chain too long";

    /// <summary>
    /// Why the certificate does not verify, in OpenSSL's words (null when it does), and whether
    /// the only trouble is an issuer not known here.
    /// </summary>
    private (string? Reason, bool IssuerOnly) Failure(X509Certificate2 certificate, X509Chain? sent)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        // A client certificate is for client authentication, when it says what it is for.
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.2"));
        // Trusted CAs that are not self-signed roots (an intermediate configured directly) end
        // the chain where mod_ssl would (OpenSSL's X509_V_FLAG_PARTIAL_CHAIN is not set by
        // mod_ssl, so only roots anchor; extra CAs help build the path).
        chain.ChainPolicy.ExtraStore.AddRange(_authorities);
        if (sent != null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(sent.ChainPolicy.ExtraStore);
        }
        if (!chain.Build(certificate))
        {
            X509ChainStatusFlags flags = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
            const X509ChainStatusFlags issuer = X509ChainStatusFlags.PartialChain | X509ChainStatusFlags.UntrustedRoot;
            bool issuerOnly = (flags & ~issuer) == X509ChainStatusFlags.NoError;
            return (flags switch
            {
                _ when flags.HasFlag(X509ChainStatusFlags.NotTimeValid) => certificate.NotAfter < DateTime.Now ? "certificate has expired" : "certificate is not yet valid",
                _ when flags.HasFlag(X509ChainStatusFlags.PartialChain) || flags.HasFlag(X509ChainStatusFlags.UntrustedRoot) => "unable to get local issuer certificate",
                _ when flags.HasFlag(X509ChainStatusFlags.NotValidForUsage) => "unsuitable certificate purpose",
                _ when flags.HasFlag(X509ChainStatusFlags.NotSignatureValid) => "certificate signature failure",
                _ => chain.ChainStatus.FirstOrDefault().StatusInformation?.Trim() is { Length: > 0 } text ? text : flags.ToString(),
            }, issuerOnly);
        }
        // SSLVerifyDepth: the CAs above the client's certificate, the trusted one included.
        int issuers = chain.ChainElements.Count - 1;
        return (issuers > Config.Depth ? ChainTooLong : null, false);
    }
}
