using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace WsgiHost.FunctionalTests.Infrastructure;

/// <summary>
/// A root CA, an intermediate CA it signed and a server certificate the intermediate signed, as a
/// site's certificate from a public CA comes: clients trust the root only, so the server must
/// send the intermediate.
/// </summary>
public sealed class TestCertificateChain : IDisposable
{
    private TestCertificateChain(X509Certificate2 root, X509Certificate2 intermediate, X509Certificate2 server, RSA serverKey)
    {
        Root = root;
        Intermediate = intermediate;
        Server = server;
        ServerKey = serverKey;
    }

    public X509Certificate2 Root { get; }

    public X509Certificate2 Intermediate { get; }

    public X509Certificate2 Server { get; }

    public RSA ServerKey { get; }

    /// <summary>Valid from <paramref name="from"/> (default: yesterday) to <paramref name="to"/> (default: in 30 days).</summary>
    public static TestCertificateChain Create(string dnsName, DateTimeOffset? from = null, DateTimeOffset? to = null)
    {
        DateTimeOffset start = from ?? DateTimeOffset.UtcNow.AddDays(-1), end = to ?? DateTimeOffset.UtcNow.AddDays(30);
        using RSA rootKey = RSA.Create(2048);
        var rootRequest = Authority("CN=WsgiHost Test Root", rootKey, pathLength: 1);
        X509Certificate2 root = rootRequest.CreateSelfSigned(start, end);

        using RSA intermediateKey = RSA.Create(2048);
        var intermediateRequest = Authority("CN=WsgiHost Test Intermediate", intermediateKey, pathLength: 0);
        using X509Certificate2 intermediatePublic = intermediateRequest.Create(root, start, end, [1]);
        X509Certificate2 intermediate = intermediatePublic.CopyWithPrivateKey(intermediateKey);

        RSA serverKey = RSA.Create(2048);
        var serverRequest = new CertificateRequest($"CN={dnsName}", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(dnsName);
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        X509Certificate2 server = serverRequest.Create(intermediate, start, end, [2]);
        return new TestCertificateChain(root, intermediate, server, serverKey);
    }

    private static CertificateRequest Authority(string subject, RSA key, int pathLength)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, pathLength, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request;
    }

    public void Dispose()
    {
        Root.Dispose();
        Intermediate.Dispose();
        Server.Dispose();
        ServerKey.Dispose();
    }
}
