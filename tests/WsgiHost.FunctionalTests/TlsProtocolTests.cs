using System.Net.Security;
using System.Security.Authentication;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>SSLProtocol decides the TLS versions a virtual host accepts, as mod_ssl's does.</summary>
public sealed class TlsProtocolTests : IDisposable
{
    private const string Name = "protocol.example.test";
    private readonly string _dir = Directory.CreateTempSubdirectory("wsgihost-tlsproto-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task AVirtualHostLimitedToTls13RefusesATls12ClientAndServesATls13One()
    {
        var (cert, key) = TestCertificate.Write(_dir, "server", Name);
        var site = TlsSite.Write(_dir, Name, cert, key, "SSLProtocol -all +TLSv1.3", "SSLOptions +StdEnvVars");
        await using var host = await site.RunAsync();
        string url = $"https://{Name}:{site.TlsPort}";

        using (var tls13 = site.Client(Options(SslProtocols.Tls13)))
        {
            Assert.Equal("GET", await tls13.GetStringAsync(url + "/method"));
        }
        using (var tls12 = site.Client(Options(SslProtocols.Tls12)))
        {
            var refused = await Assert.ThrowsAsync<HttpRequestException>(() => tls12.GetStringAsync(url + "/method"));
            Assert.IsType<AuthenticationException>(refused.InnerException);
        }
        // A client that offers both is served over TLS 1.3.
        using (var both = site.Client(Options(SslProtocols.Tls12 | SslProtocols.Tls13)))
        {
            var environ = System.Text.Json.JsonDocument.Parse(await both.GetStringAsync(url + "/environ")).RootElement;
            Assert.Equal("TLSv1.3", environ.GetProperty("SSL_PROTOCOL").GetProperty("value").GetString());
        }
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task ProtocolsWithoutH2KeepsAVirtualHostToHttp11()
    {
        var (cert, key) = TestCertificate.Write(_dir, "server", Name);
        var site = TlsSite.Write(_dir, Name, cert, key, "Protocols http/1.1");
        await using var host = await site.RunAsync();
        using var client = site.Client(Options(SslProtocols.Tls12 | SslProtocols.Tls13));
        string url = $"https://{Name}:{site.TlsPort}/method";

        using var asked = new HttpRequestMessage(HttpMethod.Get, url) { Version = System.Net.HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower };
        using var response = await client.SendAsync(asked);

        Assert.Equal(System.Net.HttpVersion.Version11, response.Version);
        Assert.Equal("GET", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, await host.StopAsync());
    }

    private static SslClientAuthenticationOptions Options(SslProtocols protocols) => new()
    {
        EnabledSslProtocols = protocols,
        RemoteCertificateValidationCallback = (_, c, _, _) => c?.Subject == $"CN={Name}",
    };
}
