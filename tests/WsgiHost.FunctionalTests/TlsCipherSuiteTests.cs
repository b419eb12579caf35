using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// SSLCipherSuite limits what the handshake accepts, as in mod_ssl (QA: it was noted and
/// ignored, and a compliance scanner would have found the ciphers the site excludes).
/// </summary>
public sealed class TlsCipherSuiteTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wsgihost-ciphers-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task OnlyTheSuitesSslCipherSuiteSelectsAreNegotiated()
    {
        int http = WsgiHostProcess.FreePort();
        int https = WsgiHostProcess.FreePort();
        var (certificate, key) = TestCertificate.Write(_dir, "site", "a.test");
        string conf = Path.Combine(_dir, "site.conf");
        File.WriteAllText(conf, $"""
            Listen 127.0.0.1:{http}
            Listen 127.0.0.1:{https}
            SSLCipherSuite TLSv1.3 TLS_AES_256_GCM_SHA384
            <VirtualHost *:{https}>
                ServerName a.test
                SSLEngine on
                SSLCertificateFile {certificate}
                SSLCertificateKeyFile {key}
                SSLCipherSuite ECDHE-RSA-AES128-GCM-SHA256
                WSGIScriptAlias / {WsgiHostProcess.App("gateway.wsgi")}
            </VirtualHost>
            """);
        await using var host = await WsgiHostProcess.RunAsync(conf, http, new Dictionary<string, string>());

        Assert.Equal(TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, await HandshakeAsync(https, SslProtocols.Tls12, TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256));
        Assert.Null(await HandshakeAsync(https, SslProtocols.Tls12, TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384));
        Assert.Null(await HandshakeAsync(https, SslProtocols.Tls12, TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256));

        Assert.Equal(TlsCipherSuite.TLS_AES_256_GCM_SHA384, await HandshakeAsync(https, SslProtocols.Tls13, TlsCipherSuite.TLS_AES_256_GCM_SHA384));
        Assert.Null(await HandshakeAsync(https, SslProtocols.Tls13, TlsCipherSuite.TLS_AES_128_GCM_SHA256));
        Assert.Equal(0, await host.StopAsync());
    }

    /// <summary>The suite negotiated by a client that offers only <paramref name="offered"/>; null when the server refused the handshake.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static async Task<TlsCipherSuite?> HandshakeAsync(int port, SslProtocols protocol, TlsCipherSuite offered)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(System.Net.IPAddress.Loopback, port);
        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "a.test",
                EnabledSslProtocols = protocol,
                CipherSuitesPolicy = new CipherSuitesPolicy([offered]),
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            });
            return tls.NegotiatedCipherSuite;
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            return null;
        }
    }
}
