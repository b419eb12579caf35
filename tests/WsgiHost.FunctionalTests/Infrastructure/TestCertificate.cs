using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace WsgiHost.FunctionalTests.Infrastructure;

/// <summary>A self-signed certificate made by the test, written as PEM files as a site would have them.</summary>
public static class TestCertificate
{
    /// <summary>Writes NAME.crt and NAME.key into <paramref name="folder"/> for the given DNS names; returns their paths.</summary>
    public static (string Certificate, string Key) Write(string folder, string name, params string[] dnsNames)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={dnsNames[0]}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        foreach (string dns in dnsNames)
        {
            names.AddDnsName(dns);
        }
        request.CertificateExtensions.Add(names.Build());
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        string certPath = Path.Combine(folder, name + ".crt");
        string keyPath = Path.Combine(folder, name + ".key");
        File.WriteAllText(certPath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certPath, keyPath);
    }
}
