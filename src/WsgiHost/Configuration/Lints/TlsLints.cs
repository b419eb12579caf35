using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using WsgiHost.Configuration.Model;
using WsgiHost.Configuration.Syntax;
using WsgiHost.Routing;

namespace WsgiHost.Configuration.Lints;

/// <summary>
/// Lints of a TLS virtual host's certificate files, the mistakes a move to a new server or a
/// renewal brings: a certificate file that cannot be read, a certificate past its end (or
/// near it), a ServerName or ServerAlias the certificate does not cover, and a chain that stops
/// short of a root this machine trusts because the intermediates were left out.
/// </summary>
internal static class TlsLints
{
    /// <summary>Days before the end of a certificate from which its renewal is called for.</summary>
    internal const int RenewalDays = 14;

    public static void Certificates(SiteConfig site, DateTimeOffset now, List<ConfigDiagnostic> found)
    {
        foreach (ServerScope host in site.VirtualHosts)
        {
            if (host.Tls is not TlsConfig tls)
            {
                continue;
            }
            var files = new X509Certificate2Collection();
            try
            {
                files.ImportFromPemFile(tls.CertificateFile);
                if (tls.ChainFile != null)
                {
                    files.ImportFromPemFile(tls.ChainFile);
                }
            }
            catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
            {
                found.Add(SiteLints.Warning(tls.Location, "SSLEngine", $"the certificate files cannot be read: {e.Message}; the server will not start",
                    "SSLCertificateFile needs the server's PEM certificate first; SSLCertificateChainFile PEM certificates only"));
                continue;
            }
            if (files.Count == 0)
            {
                found.Add(new ConfigDiagnostic(DiagnosticSeverity.Error, tls.Location, "SSLEngine", $"'{tls.CertificateFile}' holds no PEM certificate; the server will not start",
                    "SSLCertificateFile needs the server's PEM certificate first (a DER file: openssl x509 -inform der -in FILE -out FILE.pem)"));
                continue;
            }
            X509Certificate2 certificate = files[0];
            if (!Loads(tls, found))
            {
                continue;
            }
            Expiry(tls, certificate, now, found);
            Names(host, site, tls, certificate, found);
            Chain(tls, certificate, files, now, found);
        }
    }

    /// <summary>
    /// Loads the certificate with its key and chain as the server does at start: a key that does
    /// not match, an encrypted key, a chain file without a certificate make `run` refuse to
    /// start, so they are errors here too (QA: check passed them). A key this user may not read
    /// (check run as yourself, the server as root) is a warning.
    /// </summary>
    private static bool Loads(TlsConfig tls, List<ConfigDiagnostic> found)
    {
        try
        {
            _ = Server.TlsCertificate.Load(tls);
            if (tls.ClientCertificates is { } clients)
            {
                _ = Server.ClientCertificateVerifier.Load(tls, clients);
            }
            return true;
        }
        catch (Server.TlsCertificateException e)
        {
            found.Add(new ConfigDiagnostic(DiagnosticSeverity.Error, tls.Location, "SSLEngine", $"cannot load {e.What}; the server will not start", e.Fix));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            found.Add(SiteLints.Warning(tls.Location, "SSLEngine", $"the key or chain cannot be read by {Environment.UserName}, so check cannot tell whether they load: {e.Message}",
                "run check as the user the server starts as (root, when it reads its keys before it becomes User)"));
        }
        return false;
    }

    private static void Expiry(TlsConfig tls, X509Certificate2 certificate, DateTimeOffset now, List<ConfigDiagnostic> found)
    {
        DateTimeOffset end = new(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        if (end <= now)
        {
            found.Add(SiteLints.Warning(tls.Location, "SSLEngine", $"the certificate in '{tls.CertificateFile}' expired on {end:yyyy-MM-dd HH:mm} UTC; every client will refuse the server",
                "install the renewed certificate"));
        }
        else if (end - now < TimeSpan.FromDays(RenewalDays))
        {
            found.Add(SiteLints.Warning(tls.Location, "SSLEngine", $"the certificate in '{tls.CertificateFile}' expires on {end:yyyy-MM-dd HH:mm} UTC, in {(int)(end - now).TotalDays} day(s)",
                "renew it"));
        }
    }

    private static void Names(ServerScope host, SiteConfig site, TlsConfig tls, X509Certificate2 certificate, List<ConfigDiagnostic> found)
    {
        IEnumerable<string> names = (host.ServerName ?? site.MainServer.ServerName) is string name ? [name, .. host.ServerAliases] : host.ServerAliases;
        foreach (string n in names)
        {
            // A wildcard alias (*.example.com) is checked by a name it stands for.
            string sample = n.StartsWith("*.", StringComparison.Ordinal) ? "wsgihost-check" + n[1..] : n;
            // Other patterns stand for no one name; an address is checked by the client against
            // the certificate's IP entries, which a name-based site rarely has.
            if (new HostPattern(sample).HasWildcard || System.Net.IPAddress.TryParse(sample, out _))
            {
                continue;
            }
            if (!certificate.MatchesHostname(sample))
            {
                found.Add(SiteLints.Warning(tls.Location, "SSLEngine",
                    $"the certificate in '{tls.CertificateFile}' ({certificate.Subject}) does not cover {n}; clients asking for {n} will refuse the server",
                    $"use a certificate whose names include {n}, or move {n} to a virtual host with one"));
            }
        }
    }

    private static void Chain(TlsConfig tls, X509Certificate2 certificate, X509Certificate2Collection files, DateTimeOffset now, List<ConfigDiagnostic> found)
    {
        if (certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData))
        {
            return; // self-signed: its clients were given it, there is no chain to send
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid;
        chain.ChainPolicy.ExtraStore.AddRange(files);
        chain.Build(certificate);
        if (chain.ChainStatus.Any(s => s.Status == X509ChainStatusFlags.PartialChain))
        {
            X509Certificate2 last = chain.ChainElements[^1].Certificate;
            found.Add(SiteLints.Warning(tls.Location, "SSLEngine",
                $"the chain of the certificate in '{tls.CertificateFile}' stops at '{last.Issuer}', which neither the certificate file, SSLCertificateChainFile nor this machine's trusted roots hold; clients that have only public roots (curl, Python, Android) will refuse the server",
                "put the intermediate CA certificates after the server's in SSLCertificateFile (the CA's 'fullchain' file) or in SSLCertificateChainFile"));
        }
    }
}
