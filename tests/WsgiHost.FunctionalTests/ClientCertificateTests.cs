using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// mod_ssl's client certificate authentication, as a site that runs it on Apache writes it:
/// SSLVerifyClient require|optional|optional_no_ca with SSLCACertificateFile, the SSL_CLIENT_*
/// variables with SSLOptions +StdEnvVars (+ExportCertData for the PEM), and
/// <c>Require ssl-verify-client</c> for some URLs (before, each of these lines stopped the
/// site from starting).
/// </summary>
public sealed class ClientCertificateTests : IDisposable
{
    private const string Name = "mtls.example.test";
    private readonly string _dir = Directory.CreateTempSubdirectory("wsgihost-mtls-").FullName;
    private readonly (string Certificate, string Key) _server;
    private readonly string _caFile;
    private readonly X509Certificate2 _alice;
    private readonly X509Certificate2 _stranger;
    private readonly X509Certificate2 _expired;

    public ClientCertificateTests()
    {
        _server = TestCertificate.Write(_dir, "server", Name);
        (X509Certificate2 ca, _alice) = Issue("CN=WsgiHost Client CA, O=Example Corp", "CN=alice, OU=Staff, O=Example Corp, C=US", email: "alice@example.test");
        (X509Certificate2 otherCa, _stranger) = Issue("CN=Some Other CA", "CN=mallory");
        // Expired, from the site's own CA: mod_ssl forgives optional_no_ca the issuer alone.
        (X509Certificate2 sameCa, _expired) = Issue("CN=WsgiHost Client CA, O=Example Corp", "CN=Jürgen Müller, OU=Eng, OU=Ops", expired: true);
        _caFile = Path.Combine(_dir, "clients-ca.pem");
        File.WriteAllText(_caFile, ca.ExportCertificatePem() + "\n");
        ca.Dispose();
        otherCa.Dispose();
        sameCa.Dispose();
    }

    public void Dispose()
    {
        _alice.Dispose();
        _stranger.Dispose();
        _expired.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task RequireLetsInACertificateTheCaIssuedAndGivesTheAppItsVariables()
    {
        var site = TlsSite.Write(_dir, Name, _server.Certificate, _server.Key,
            "SSLVerifyClient require", $"SSLCACertificateFile {_caFile}", "SSLOptions +StdEnvVars +ExportCertData");
        // mod_ssl says why it refused a certificate at info (AH02039), as this does.
        File.WriteAllText(site.ConfigFile, "LogLevel info\n" + File.ReadAllText(site.ConfigFile));
        await using var host = await site.RunAsync();

        using (HttpClient alice = site.Client(As(_alice)))
        {
            JsonElement environ = await EnvironAsync(alice, site);
            Assert.Equal("SUCCESS", Value(environ, "SSL_CLIENT_VERIFY"));
            // RFC 2253, as mod_ssl 2.4 writes DNs: the last attribute encoded first.
            Assert.Equal("CN=alice,OU=Staff,O=Example Corp,C=US", Value(environ, "SSL_CLIENT_S_DN"));
            Assert.Equal("alice", Value(environ, "SSL_CLIENT_S_DN_CN"));
            Assert.Equal("Staff", Value(environ, "SSL_CLIENT_S_DN_OU"));
            Assert.Equal("CN=WsgiHost Client CA,O=Example Corp", Value(environ, "SSL_CLIENT_I_DN"));
            Assert.Equal(_alice.SerialNumber, Value(environ, "SSL_CLIENT_M_SERIAL"));
            Assert.Equal("sha256WithRSAEncryption", Value(environ, "SSL_CLIENT_A_SIG"));
            Assert.Matches(@"^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4} GMT$", Value(environ, "SSL_CLIENT_V_END"));
            Assert.InRange(int.Parse(Value(environ, "SSL_CLIENT_V_REMAIN"), System.Globalization.CultureInfo.InvariantCulture), 28, 30);
            Assert.StartsWith("-----BEGIN CERTIFICATE-----\n", Value(environ, "SSL_CLIENT_CERT"), StringComparison.Ordinal);
            Assert.Equal("CN=" + Name, Value(environ, "SSL_SERVER_S_DN"));
            Assert.Equal(Name, Value(environ, "SSL_SERVER_S_DN_CN"));
            Assert.Equal(Name, Value(environ, "SSL_SERVER_SAN_DNS_0"));
            Assert.Equal("alice@example.test", Value(environ, "SSL_CLIENT_SAN_Email_0"));
            Assert.StartsWith("OpenSSL/3.", Value(environ, "SSL_VERSION_LIBRARY"), StringComparison.Ordinal);
            Assert.Matches("^(128|256)$", Value(environ, "SSL_CIPHER_USEKEYSIZE"));
            Assert.Equal("NULL", Value(environ, "SSL_COMPRESS_METHOD"));
        }

        // Over TLS 1.2 the cipher has OpenSSL's name, as mod_ssl gives it (.NET's is the IANA one).
        SslClientAuthenticationOptions tls12 = As(_alice);
        tls12.EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls12;
        using (HttpClient old = site.Client(tls12))
        {
            JsonElement environ = await EnvironAsync(old, site);
            Assert.Equal("TLSv1.2", Value(environ, "SSL_PROTOCOL"));
            Assert.Matches("^ECDHE-(RSA|ECDSA)-[A-Z0-9-]+$", Value(environ, "SSL_CIPHER"));
        }

        // No certificate, or one another CA issued: the handshake fails, as mod_ssl ends it.
        using (HttpClient anonymous = site.Client(As(null)))
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => anonymous.GetStringAsync($"https://{Name}:{site.TlsPort}/method"));
        }
        using (HttpClient mallory = site.Client(As(_stranger)))
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => mallory.GetStringAsync($"https://{Name}:{site.TlsPort}/method"));
        }
        await host.WaitForLogAsync("AH02276: Certificate Verification: Error: unable to get local issuer certificate [subject: CN=mallory / issuer: CN=Some Other CA / serial: ");
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task OptionalWithRequireSslVerifyClientGuardsOnlyTheSectionThatSaysSo()
    {
        var site = TlsSite.Write(_dir, Name, _server.Certificate, _server.Key,
            "SSLVerifyClient optional", $"SSLCACertificateFile {_caFile}", "SSLOptions +StdEnvVars",
            "<Location /method>", "    Require ssl-verify-client", "</Location>");
        await using var host = await site.RunAsync();

        using (HttpClient anonymous = site.Client(As(null)))
        {
            JsonElement environ = await EnvironAsync(anonymous, site);
            Assert.Equal("NONE", Value(environ, "SSL_CLIENT_VERIFY"));
            Assert.False(environ.TryGetProperty("SSL_CLIENT_S_DN", out _));
            Assert.False(environ.TryGetProperty("SSL_CLIENT_CERT", out _)); // no +ExportCertData here
            using HttpResponseMessage guarded = await anonymous.GetAsync($"https://{Name}:{site.TlsPort}/method");
            Assert.Equal(403, (int)guarded.StatusCode);
        }
        using (HttpClient alice = site.Client(As(_alice)))
        {
            Assert.Equal("GET", await alice.GetStringAsync($"https://{Name}:{site.TlsPort}/method"));
        }
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task OptionalNoCaLetsAnyCertificateThroughAndSaysGenerous()
    {
        var site = TlsSite.Write(_dir, Name, _server.Certificate, _server.Key,
            "SSLVerifyClient optional_no_ca", $"SSLCACertificateFile {_caFile}", "SSLOptions +StdEnvVars");
        await using var host = await site.RunAsync();

        using (HttpClient mallory = site.Client(As(_stranger)))
        {
            JsonElement environ = await EnvironAsync(mallory, site);
            Assert.Equal("GENEROUS", Value(environ, "SSL_CLIENT_VERIFY"));
            Assert.Equal("CN=mallory", Value(environ, "SSL_CLIENT_S_DN"));
            Assert.False(environ.TryGetProperty("SSL_CLIENT_CERT", out _)); // no +ExportCertData
        }
        using (HttpClient alice = site.Client(As(_alice)))
        {
            Assert.Equal("SUCCESS", Value(await EnvironAsync(alice, site), "SSL_CLIENT_VERIFY"));
        }
        // Forgiven the unknown issuer only: an expired certificate is refused, as by mod_ssl.
        using (HttpClient expired = site.Client(As(_expired)))
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => expired.GetStringAsync($"https://{Name}:{site.TlsPort}/method"));
        }
        Assert.Equal(0, await host.StopAsync());
    }

    /// <summary>
    /// A name's text as mod_ssl passes it: UTF-8 bytes as latin-1 characters (PEP 3333), and a
    /// repeated attribute numbered (_OU, _OU_1), as under Apache.
    /// </summary>
    [Fact]
    public async Task NamesComeAsApacheGivesThemUtf8BytesAndNumberedRepeats()
    {
        var site = TlsSite.Write(_dir, Name, _server.Certificate, _server.Key,
            "SSLVerifyClient optional_no_ca", $"SSLCACertificateFile {_caFile}", "SSLOptions +StdEnvVars");
        await using var host = await site.RunAsync();
        (X509Certificate2 otherCa, X509Certificate2 named) = Issue("CN=Some Other CA", "CN=Jürgen Müller, OU=Eng, OU=Ops");
        otherCa.Dispose();
        using (named)
        using (HttpClient client = site.Client(As(named)))
        {
            JsonElement environ = await EnvironAsync(client, site);
            string cn = Value(environ, "SSL_CLIENT_S_DN_CN");
            Assert.Equal("Jürgen Müller", System.Text.Encoding.UTF8.GetString(System.Text.Encoding.Latin1.GetBytes(cn)));
            Assert.Equal("Ops", Value(environ, "SSL_CLIENT_S_DN_OU"));
            Assert.Equal("Eng", Value(environ, "SSL_CLIENT_S_DN_OU_1"));
        }
        Assert.Equal(0, await host.StopAsync());
    }

    private static async Task<JsonElement> EnvironAsync(HttpClient client, TlsSite site) =>
        JsonDocument.Parse(await client.GetStringAsync($"https://{Name}:{site.TlsPort}/environ")).RootElement;

    private static string Value(JsonElement environ, string key) =>
        environ.TryGetProperty(key, out JsonElement entry) ? entry.GetProperty("value").GetString()! : throw new Xunit.Sdk.XunitException($"no {key} in the environ");

    /// <summary>TLS options of a client that presents <paramref name="certificate"/> (none when null) and accepts the test's self-signed server.</summary>
    private static SslClientAuthenticationOptions As(X509Certificate2? certificate) => new()
    {
        TargetHost = Name,
        RemoteCertificateValidationCallback = (_, _, _, _) => true,
        // Sent whatever CA names the server lists: the test decides what the server gets.
        LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate!,
        ClientCertificates = certificate == null ? null : [certificate],
    };

    /// <summary>A CA and a client certificate it issued for <paramref name="subject"/> (client authentication, 30 days).</summary>
    private static (X509Certificate2 Ca, X509Certificate2 Client) Issue(string caSubject, string subject, bool expired = false, string? email = null)
    {
        DateTimeOffset start = DateTimeOffset.UtcNow.AddDays(-1), end = DateTimeOffset.UtcNow.AddDays(30);
        (DateTimeOffset from, DateTimeOffset to) = expired ? (start.AddDays(-30), start) : (start, end);
        using RSA caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest(caSubject, caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        X509Certificate2 ca = caRequest.CreateSelfSigned(start.AddDays(-60), end);

        using RSA key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        if (email != null)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddEmailAddress(email);
            request.CertificateExtensions.Add(names.Build());
        }
        using X509Certificate2 issued = request.Create(ca, from, to, [7, 42]);
        using X509Certificate2 withKey = issued.CopyWithPrivateKey(key);
        // Through PKCS#12, as a client loads its certificate: the key stays usable after this method.
        X509Certificate2 client = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pfx), null);
        return (ca, client);
    }
}
