using System.Net.Security;
using System.Net.Sockets;
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
        string chainLine;
        if (layout == "chain file")
        {
            File.WriteAllText(certificate, _chain.Server.ExportCertificatePem() + "\n");
            chainLine = $"SSLCertificateChainFile {intermediate}";
        }
        else
        {
            File.WriteAllText(certificate, _chain.Server.ExportCertificatePem() + "\n" + _chain.Intermediate.ExportCertificatePem() + "\n");
            chainLine = "";
        }
        await using var host = await StartAsync(certificate, key, chainLine);
        using var client = RootOnlyClient(host.TlsPort);
        Assert.Equal("GET", await client.GetStringAsync($"https://{Name}:{host.TlsPort}/method"));
        // ALPN still offers HTTP/2 with the per-connection TLS options.
        using var http2 = new HttpRequestMessage(HttpMethod.Get, $"https://{Name}:{host.TlsPort}/method")
        {
            Version = System.Net.HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using var response = await client.SendAsync(http2);
        Assert.Equal(System.Net.HttpVersion.Version20, response.Version);
        Assert.Equal("GET", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, await host.Process.StopAsync());
    }

    [Fact]
    public async Task WithoutTheIntermediateTheSameClientRefusesTheServer()
    {
        // The control: the client above really depends on the intermediate the server sends.
        string certificate = Path.Combine(_dir, "server.crt");
        string key = Path.Combine(_dir, "server.key");
        File.WriteAllText(certificate, _chain.Server.ExportCertificatePem() + "\n");
        File.WriteAllText(key, _chain.ServerKey.ExportPkcs8PrivateKeyPem());
        await using var host = await StartAsync(certificate, key, "");
        using var client = RootOnlyClient(host.TlsPort);
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetStringAsync($"https://{Name}:{host.TlsPort}/method"));
        Assert.IsType<System.Security.Authentication.AuthenticationException>(error.InnerException);
        Assert.Equal(0, await host.Process.StopAsync());
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
        string conf = Write(certificate, key, $"SSLCertificateChainFile {chain}", out _);
        var (code, _, error) = await WsgiHostProcess.RunToEndAsync("run", conf);
        Assert.Equal(1, code);
        // The virtual host's SSLEngine is on line 7 of the file Write makes.
        Assert.Contains($"cannot start: {conf}:7: SSLEngine on: cannot load SSLCertificateChainFile '{chain}' holds no PEM certificate", error);
    }

    private sealed class Server(WsgiHostProcess process, int tlsPort) : IAsyncDisposable
    {
        public WsgiHostProcess Process { get; } = process;

        public int TlsPort { get; } = tlsPort;

        public ValueTask DisposeAsync() => Process.DisposeAsync();
    }

    private async Task<Server> StartAsync(string certificate, string key, string chainLine)
    {
        string conf = Write(certificate, key, chainLine, out (int Http, int Https) ports);
        return new Server(await WsgiHostProcess.RunAsync(conf, ports.Http, new Dictionary<string, string>()), ports.Https);
    }

    private string Write(string certificate, string key, string chainLine, out (int Http, int Https) ports)
    {
        int http = WsgiHostProcess.FreePort();
        int https = WsgiHostProcess.FreePort();
        ports = (http, https);
        string conf = Path.Combine(_dir, "site.conf");
        File.WriteAllText(conf, $"""
            Listen 127.0.0.1:{http}
            Listen 127.0.0.1:{https}
            WSGIApplicationGroup %{"{"}GLOBAL{"}"}
            WSGIScriptAlias / {WsgiHostProcess.App("gateway.wsgi")}
            <VirtualHost *:{https}>
                ServerName {Name}
                SSLEngine on
                SSLCertificateFile {certificate}
                SSLCertificateKeyFile {key}
                {chainLine}
                WSGIScriptAlias / {WsgiHostProcess.App("gateway.wsgi")}
            </VirtualHost>
            """);
        return conf;
    }

    /// <summary>Trusts the test root alone (no system store), connects to 127.0.0.1 whatever the URL's host.</summary>
    private HttpClient RootOnlyClient(int port)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
        };
        policy.CustomTrustStore.Add(_chain.Root);
        return new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(System.Net.IPAddress.Loopback, port, token);
                return new NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = policy },
        });
    }
}
