using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using WsgiHost.Configuration.Lints;
using WsgiHost.Configuration.Syntax;
using WsgiHost.FunctionalTests.Infrastructure;
using WsgiHost.Tests.Configuration.Directives;
using WsgiHost.Tests.Configuration.Syntax;

namespace WsgiHost.Tests.Configuration.Lints;

/// <summary>`wsgihost check` on a TLS virtual host's certificate: read, in date, covering the site's names, with its chain.</summary>
public sealed class TlsLintTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly TempConfigFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void ACertificateForTheSiteItsAliasesAndInDateIsSilent()
    {
        using var key = RSA.Create(2048);
        string cert = Pem("site.crt", SelfSigned(key, "www.example.com", Now.AddDays(-10), Now.AddDays(90), "www.example.com", "example.com"));
        Assert.Empty(Lint(Site(cert, key, "www.example.com", "ServerAlias example.com")));
    }

    [Fact]
    public void AnExpiredCertificateAndOneAboutToExpire()
    {
        using var key = RSA.Create(2048);
        string expired = Pem("old.crt", SelfSigned(key, "www.example.com", Now.AddDays(-400), Now.AddDays(-1), "www.example.com"));
        var warning = Assert.Single(Lint(Site(expired, key, "www.example.com")));
        warning.At(5, "SSLEngine");
        Assert.Contains("expired on 2026-05-31 12:00 UTC", warning.Message, StringComparison.Ordinal);
        Assert.Equal("install the renewed certificate", warning.Fix);

        string soon = Pem("soon.crt", SelfSigned(key, "www.example.com", Now.AddDays(-80), Now.AddDays(5), "www.example.com"));
        warning = Assert.Single(Lint(Site(soon, key, "www.example.com")));
        Assert.Contains("expires on 2026-06-06 12:00 UTC, in 5 day(s)", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ANameTheCertificateDoesNotCover()
    {
        using var key = RSA.Create(2048);
        string cert = Pem("site.crt", SelfSigned(key, "www.example.com", Now.AddDays(-10), Now.AddDays(90), "www.example.com"));
        var warning = Assert.Single(Lint(Site(cert, key, "www.example.com", "ServerAlias example.com")));
        warning.At(5, "SSLEngine");
        Assert.Contains("(CN=www.example.com) does not cover example.com", warning.Message, StringComparison.Ordinal);

        // A wildcard certificate covers a wildcard alias's names.
        string wildcard = Pem("wild.crt", SelfSigned(key, "example.com", Now.AddDays(-10), Now.AddDays(90), "example.com", "*.example.com"));
        Assert.Empty(Lint(Site(wildcard, key, "example.com", "ServerAlias *.example.com")));
    }

    [Fact]
    public void AChainLeftOutOfTheFiles()
    {
        using var chain = TestCertificateChain.Create("www.example.com", Now.AddDays(-10), Now.AddDays(90));
        string alone = Pem("server.crt", chain.Server);
        var warning = Assert.Single(Lint(Site(alone, chain.ServerKey, "www.example.com")));
        warning.At(5, "SSLEngine");
        Assert.Contains("stops at 'CN=WsgiHost Test Intermediate'", warning.Message, StringComparison.Ordinal);
        Assert.Contains("fullchain", warning.Fix, StringComparison.Ordinal);

        // The intermediates after the certificate, or in SSLCertificateChainFile, up to a root.
        string full = Pem("full.crt", chain.Server, chain.Intermediate, chain.Root);
        Assert.Empty(Lint(Site(full, chain.ServerKey, "www.example.com")));
        string intermediates = Pem("chain.crt", chain.Intermediate, chain.Root);
        Assert.Empty(Lint(Site(alone, chain.ServerKey, "www.example.com", $"SSLCertificateChainFile {intermediates}")));
    }

    [Fact]
    public void ACertificateFileWithoutACertificate()
    {
        using var key = RSA.Create(2048);
        string broken = _folder.Write("broken.crt", "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
        var error = Assert.Single(Lint(Site(broken, key, "www.example.com")));
        error.At(5, "SSLEngine");
        Assert.Equal(DiagnosticSeverity.Error, error.Severity);
        Assert.EndsWith("broken.crt' holds no PEM certificate; the server will not start", error.Message, StringComparison.Ordinal);
    }

    /// <summary>What makes `run` refuse to start is an error of check too, with its cause (QA: check passed all of these).</summary>
    [Fact]
    public void CertificateFilesTheServerCannotLoadAreErrorsWithTheirCause()
    {
        using var key = RSA.Create(2048);
        using var other = RSA.Create(2048);
        X509Certificate2 certificate = SelfSigned(key, "www.example.com", Now.AddDays(-10), Now.AddDays(90), "www.example.com");
        string cert = Pem("site.crt", certificate);

        ConfigDiagnostic Error(string text)
        {
            var error = Assert.Single(Lint(text));
            Assert.Equal(DiagnosticSeverity.Error, error.Severity);
            error.At(5, "SSLEngine");
            Assert.EndsWith("; the server will not start", error.Message, StringComparison.Ordinal);
            return error;
        }

        Assert.Contains("the key does not match the certificate", Error(Site(cert, other, "www.example.com")).Message, StringComparison.Ordinal);

        string encrypted = _folder.Write("encrypted.key", key.ExportEncryptedPkcs8PrivateKeyPem("secret", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000)));
        Assert.Contains("the key is encrypted with a pass phrase", Error(SiteWithKeyFile(cert, encrypted)).Message, StringComparison.Ordinal);

        string der = Path.Combine(Path.GetDirectoryName(cert)!, "site.der");
        File.WriteAllBytes(der, certificate.RawData);
        Assert.Contains("openssl x509 -inform der", Error(Site(der, key, "www.example.com")).Fix, StringComparison.Ordinal);

        string empty = _folder.Write("empty-chain.crt", "no certificates here\n");
        Assert.Contains("holds no PEM certificate", Error(Site(cert, key, "www.example.com", $"SSLCertificateChainFile {empty}")).Message, StringComparison.Ordinal);
    }

    private string SiteWithKeyFile(string certificate, string keyFile) =>
        $"Listen 443\n<VirtualHost *:443>\n  ServerName www.example.com\n  \n  SSLEngine on\n  SSLCertificateFile {certificate}\n  SSLCertificateKeyFile {keyFile}\n</VirtualHost>";

    /// <summary>
    /// Require ssl-verify-client grants only clients whose certificate verified: where the host
    /// asks for none, it is never met (a warning); where it asks, check cannot tell who has one,
    /// so the mount is not called unreachable.
    /// </summary>
    [Fact]
    public void RequireSslVerifyClientWhereNoCertificateIsAskedFor()
    {
        using var key = RSA.Create(2048);
        string cert = Pem("site.crt", SelfSigned(key, "www.example.com", Now.AddDays(-10), Now.AddDays(90), "www.example.com"));
        string app = _folder.Write("app/app.wsgi", "");
        string guarded = $"WSGIScriptAlias /app {app}\n  <Directory {Path.GetDirectoryName(app)}>\n    Require ssl-verify-client\n  </Directory>";
        var warning = Assert.Single(Lint(Site(cert, key, "www.example.com", guarded)));
        Assert.Equal("'Require ssl-verify-client' on '/app' is never met: the virtual host does not ask for client certificates", warning.Message);
        Assert.Contains("SSLVerifyClient optional", warning.Fix, StringComparison.Ordinal);

        Assert.Empty(Lint(Site(cert, key, "www.example.com", guarded, "SSLVerifyClient optional", $"SSLCACertificateFile {cert}")));
    }

    private static IReadOnlyList<ConfigDiagnostic> Lint(string text) => SiteLints.Run(SiteText.Config(text), processorCount: 2, now: Now);

    /// <summary>A TLS virtual host whose SSLEngine is on line 5.</summary>
    private string Site(string certificate, RSA key, string serverName, params string[] extra)
    {
        string keyFile = _folder.Write("site.key", key.ExportPkcs8PrivateKeyPem());
        return $"Listen 443\n<VirtualHost *:443>\n  ServerName {serverName}\n  {string.Join("\n  ", extra)}\n  SSLEngine on\n  SSLCertificateFile {certificate}\n  SSLCertificateKeyFile {keyFile}\n</VirtualHost>";
    }

    private string Pem(string name, params X509Certificate2[] certificates) =>
        _folder.Write(name, string.Concat(certificates.Select(c => c.ExportCertificatePem() + "\n")));

    private static X509Certificate2 SelfSigned(RSA key, string subject, DateTimeOffset from, DateTimeOffset to, params string[] names)
    {
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        foreach (string n in names)
        {
            san.AddDnsName(n);
        }
        request.CertificateExtensions.Add(san.Build());
        return request.CreateSelfSigned(from, to);
    }
}
