using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// The intermediate certificates a site's TLS configuration names reach the client, as mod_ssl
/// sends them: from SSLCertificateChainFile, or after the server's certificate in
/// SSLCertificateFile. A client that trusts only the root (as browsers and curl trust a public
/// CA's root) cannot verify the server without them.
/// </summary>
public sealed class TlsChainTests : IDisposable
{
    private const string Name = "chain.example.test";
    private readonly string _dir = Directory.CreateTempSubdirectory("wsgihost-tls-").FullName;
    private readonly TestCertificateChain _chain = TestCertificateChain.Create(Name);

    public void Dispose()
    {
        _chain.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    public static TheoryData<string> Layouts => ["chain file", "appended to the certificate file"];

    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task AClientTrustingOnlyTheRootVerifiesTheServerThroughTheIntermediateItSends(string layout)
    {
        string certificate = Path.Combine(_dir, "server.crt");
        string key = Path.Combine(_dir, "server.key");
        string intermediate = Path.Combine(_dir, "intermediate.crt");
        File.WriteAllText(key, _chain.ServerKey.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(intermediate, _chain.Intermediate.ExportCertificatePem() + "\n");
        string[] chainLine;
        if (layout == "chain file")
        {
            File.WriteAllText(certificate, _chain.Server.ExportCertificatePem() + "\n");
            chainLine = [$"SSLCertificateChainFile {intermediate}"];
        }
        else
        {
            File.WriteAllText(certificate, _chain.Server.ExportCertificatePem() + "\n" + _chain.Intermediate.ExportCertificatePem() + "\n");
            chainLine = [];
        }
        var site = TlsSite.Write(_dir, Name, certificate, key, chainLine);
        await using var host = await site.RunAsync();
        using var client = site.Client(RootOnly());
        string url = $"https://{Name}:{site.TlsPort}/method";
        Assert.Equal("GET", await client.GetStringAsync(url));
        // ALPN still offers HTTP/2 with the per-connection TLS options.
        using var http2 = new HttpRequestMessage(HttpMethod.Get, url)
        {
            Version = System.Net.HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using var response = await client.SendAsync(http2);
        Assert.Equal(System.Net.HttpVersion.Version20, response.Version);
        Assert.Equal("GET", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task WithoutTheIntermediateTheSameClientRefusesTheServer()
    {
        // The control: the client above really depends on the intermediate the server sends.
        string certificate = Path.Combine(_dir, "server.crt");
        string key = Path.Combine(_dir, "server.key");
        File.WriteAllText(certificate, _chain.Server.ExportCertificatePem() + "\n");
        File.WriteAllText(key, _chain.ServerKey.ExportPkcs8PrivateKeyPem());
        var site = TlsSite.Write(_dir, Name, certificate, key);
        await using var host = await site.RunAsync();
        using var client = site.Client(RootOnly());
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetStringAsync($"https://{Name}:{site.TlsPort}/method"));
        Assert.IsType<System.Security.Authentication.AuthenticationException>(error.InnerException);
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task AChainFileWithoutACertificateStopsTheStartNamingTheFileAndTheVirtualHost()
    {
        string certificate = Path.Combine(_dir, "server.crt");
        string key = Path.Combine(_dir, "server.key");
        string chain = Path.Combine(_dir, "chain.crt");
        File.WriteAllText(certificate, _chain.Server.ExportCertificatePem() + "\n");
        File.WriteAllText(key, _chain.ServerKey.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(chain, "intermediate goes here\n");
        var site = TlsSite.Write(_dir, Name, certificate, key, $"SSLCertificateChainFile {chain}");
        var (code, _, error) = await WsgiHostProcess.RunToEndAsync("run", site.ConfigFile);
        Assert.Equal(1, code);
        // The virtual host's SSLEngine is on line 7 of the file TlsSite writes.
        Assert.Contains($"cannot start: {site.ConfigFile}:7: SSLEngine on: cannot load SSLCertificateChainFile '{chain}' holds no PEM certificate", error);
    }

    /// <summary>Trusts the test root alone (no system store).</summary>
    private SslClientAuthenticationOptions RootOnly()
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
        };
        policy.CustomTrustStore.Add(_chain.Root);
        return new SslClientAuthenticationOptions { CertificateChainPolicy = policy };
    }
}
