using System.Net.Security;
using System.Net.Sockets;
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
        int http = WsgiHostProcess.FreePort();
        int https = WsgiHostProcess.FreePort();
        string conf = Path.Combine(_dir, "site.conf");
        File.WriteAllText(conf, $"""
            Listen 127.0.0.1:{http}
            Listen 127.0.0.1:{https}
            WSGIApplicationGroup %{"{"}GLOBAL{"}"}
            WSGIScriptAlias / {WsgiHostProcess.App("gateway.wsgi")}
            <VirtualHost *:{https}>
                ServerName {Name}
                SSLEngine on
                SSLCertificateFile {cert}
                SSLCertificateKeyFile {key}
                SSLProtocol -all +TLSv1.3
                SSLOptions +StdEnvVars
                WSGIScriptAlias / {WsgiHostProcess.App("gateway.wsgi")}
            </VirtualHost>
            """);
        await using var host = await WsgiHostProcess.RunAsync(conf, http, new Dictionary<string, string>());

        using (var tls13 = Client(https, SslProtocols.Tls13))
        {
            Assert.Equal("GET", await tls13.GetStringAsync($"https://{Name}:{https}/method"));
        }
        using (var tls12 = Client(https, SslProtocols.Tls12))
        {
            var refused = await Assert.ThrowsAsync<HttpRequestException>(() => tls12.GetStringAsync($"https://{Name}:{https}/method"));
            Assert.IsType<AuthenticationException>(refused.InnerException);
        }
        // A client that offers both is served over TLS 1.3.
        using (var both = Client(https, SslProtocols.Tls12 | SslProtocols.Tls13))
        {
            var environ = System.Text.Json.JsonDocument.Parse(await both.GetStringAsync($"https://{Name}:{https}/environ")).RootElement;
            Assert.Equal("TLSv1.3", environ.GetProperty("SSL_PROTOCOL").GetProperty("value").GetString());
        }
        Assert.Equal(0, await host.StopAsync());
    }

    private static HttpClient Client(int port, SslProtocols protocols) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, token) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(System.Net.IPAddress.Loopback, port, token);
            return new NetworkStream(socket, ownsSocket: true);
        },
        SslOptions = new SslClientAuthenticationOptions
        {
            EnabledSslProtocols = protocols,
            RemoteCertificateValidationCallback = (_, c, _, _) => c?.Subject == $"CN={Name}",
        },
    });
}
