using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// Several TLS virtual hosts on one port: the handshake picks one by SNI, and a request whose
/// Host names a virtual host with other TLS settings is misdirected (421), as mod_ssl answers.
/// </summary>
public sealed class TlsVirtualHostTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wsgihost-sni-").FullName;

    private static string? Site(string environ) =>
        System.Text.Json.JsonDocument.Parse(environ).RootElement.GetProperty("SITE").GetProperty("value").GetString();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task AHostThatNamesAVirtualHostWithOtherTlsSettingsThanTheHandshakesIsMisdirected()
    {
        int http = WsgiHostProcess.FreePort();
        int https = WsgiHostProcess.FreePort();
        var (certA, keyA) = TestCertificate.Write(_dir, "a", "a.test", "c.test");
        var (certB, keyB) = TestCertificate.Write(_dir, "b", "b.test");
        string app = WsgiHostProcess.App("gateway.wsgi");
        string VirtualHost(string name, string cert, string key, string extra = "") => $"""
            <VirtualHost *:{https}>
                ServerName {name}
                SSLEngine on
                SSLCertificateFile {cert}
                SSLCertificateKeyFile {key}
                {extra}
                SetEnv SITE {name}
                WSGIScriptAlias / {app}
            </VirtualHost>
            """;
        string conf = Path.Combine(_dir, "site.conf");
        File.WriteAllText(conf, $"""
            Listen 127.0.0.1:{http}
            Listen 127.0.0.1:{https}
            WSGIApplicationGroup %{"{"}GLOBAL{"}"}
            {VirtualHost("a.test", certA, keyA)}
            {VirtualHost("b.test", certB, keyB, "SSLProtocol -all +TLSv1.3")}
            {VirtualHost("c.test", certA, keyA)}
            """);
        await using var host = await WsgiHostProcess.RunAsync(conf, http, new Dictionary<string, string>());

        // TLS by hand, so the SNI (sni, "" for none) and the Host header are each what the test says:
        // HttpClient would send SNI from the Host header.
        async Task<(HttpStatusCode Status, string Body)> GetAsync(string sni, string hostHeader)
        {
            using var client = new HttpClient(new SocketsHttpHandler
            {
                ConnectCallback = async (_, token) =>
                {
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    await socket.ConnectAsync(IPAddress.Loopback, https, token);
                    var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
                    await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = sni, RemoteCertificateValidationCallback = (_, _, _, _) => true }, token);
                    return tls;
                },
            });
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{hostHeader}:{https}/environ");
            using var response = await client.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        var (status, body) = await GetAsync("a.test", "a.test");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("a.test", Site(body));

        // SNI a.test (whose handshake allows TLS 1.2), Host b.test (TLS 1.3 only): refused, not served.
        (status, body) = await GetAsync("a.test", "b.test");
        Assert.Equal(HttpStatusCode.MisdirectedRequest, status);
        Assert.Contains("Misdirected Request", body, StringComparison.Ordinal);
        await host.WaitForLogAsync("AH02032: Hostname a.test provided via SNI and hostname b.test provided via HTTP have no compatible SSL setup");

        // c.test has a.test's certificate and settings: the handshake serves it as well.
        (status, _) = await GetAsync("a.test", "c.test");
        Assert.Equal(HttpStatusCode.OK, status);

        // No SNI at all (an old client, or one that connects by IP address): the handshake is the
        // first TLS host's, so the same check holds (Apache 2.4.64 and later): no way around
        // b.test's TLS 1.3 by leaving SNI out.
        (status, _) = await GetAsync("", "b.test");
        Assert.Equal(HttpStatusCode.MisdirectedRequest, status);
        await host.WaitForLogAsync("AH02032: Hostname a.test (default host as no SNI was provided) and hostname b.test provided via HTTP have no compatible SSL setup");
        (status, body) = await GetAsync("", "c.test");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("c.test", Site(body));
        Assert.Equal(0, await host.StopAsync());
    }
}
