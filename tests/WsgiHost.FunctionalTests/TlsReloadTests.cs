using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// SIGHUP loads the TLS certificates again, as Apache's graceful restart: a renewal (certbot
/// writes new files under the same names, then reloads) is served from then on, and a broken
/// renewal leaves the server on the certificate it had.
/// </summary>
public sealed class TlsReloadTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wsgihost-tls-reload-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task SighupServesARenewedCertificateAndKeepsTheOldOneWhenTheNewOneIsBroken()
    {
        int http = WsgiHostProcess.FreePort();
        int https = WsgiHostProcess.FreePort();
        var (certificate, key) = TestCertificate.Write(_dir, "site", "a.test");
        string conf = Path.Combine(_dir, "site.conf");
        void WriteConfig(string cert, string certKey) => File.WriteAllText(conf, $"""
            Listen 127.0.0.1:{http}
            Listen 127.0.0.1:{https}
            LogLevel notice
            <VirtualHost *:{https}>
                ServerName a.test
                SSLEngine on
                SSLCertificateFile {cert}
                SSLCertificateKeyFile {certKey}
                WSGIScriptAlias / {WsgiHostProcess.App("gateway.wsgi")}
            </VirtualHost>
            """);
        WriteConfig(certificate, key);
        await using var host = await WsgiHostProcess.RunAsync(conf, http, new Dictionary<string, string>());
        int reloads = 0;
        async Task ReloadAsync()
        {
            host.SendSignal(1);
            reloads++;
            await WaitUntilAsync(() => Regex.Count(host.ErrorLog, "SIGHUP: configuration reloaded") >= reloads, host);
        }

        string first = Thumbprint(certificate);
        Assert.Equal(("200", first), await GetAsync(https));

        // Renewed in place: a new key and certificate under the same names.
        TestCertificate.Write(_dir, "site", "a.test");
        string renewed = Thumbprint(certificate);
        Assert.NotEqual(first, renewed);
        await ReloadAsync();
        Assert.Equal(("200", renewed), await GetAsync(https));

        // Moved: the configuration names other files; the requests are not misdirected (421).
        var (moved, movedKey) = TestCertificate.Write(_dir, "moved", "a.test");
        WriteConfig(moved, movedKey);
        await ReloadAsync();
        Assert.Equal(("200", Thumbprint(moved)), await GetAsync(https));

        // A broken key: said in the error log, and the certificate loaded before is still served.
        File.WriteAllText(movedKey, "not a key");
        await ReloadAsync();
        await host.WaitForLogAsync($"SIGHUP: the TLS certificates of 127.0.0.1:{https} were not reloaded, the ones loaded before are still served");
        Assert.Equal(("200", Thumbprint(moved)), await GetAsync(https));
        Assert.Equal(0, await host.StopAsync());
    }

    /// <summary>SSLStrictSNIVHostCheck on (a config error until QA found it): a client without SNI gets 403, as from mod_ssl.</summary>
    [Fact]
    public async Task StrictSniRefusesAClientThatSendsNoServerName()
    {
        int http = WsgiHostProcess.FreePort();
        int https = WsgiHostProcess.FreePort();
        var (certificate, key) = TestCertificate.Write(_dir, "site", "a.test");
        string conf = Path.Combine(_dir, "strict.conf");
        File.WriteAllText(conf, $"""
            Listen 127.0.0.1:{http}
            Listen 127.0.0.1:{https}
            SSLStrictSNIVHostCheck on
            <VirtualHost *:{https}>
                ServerName a.test
                SSLEngine on
                SSLCertificateFile {certificate}
                SSLCertificateKeyFile {key}
                WSGIScriptAlias / {WsgiHostProcess.App("gateway.wsgi")}
            </VirtualHost>
            """);
        await using var host = await WsgiHostProcess.RunAsync(conf, http, new Dictionary<string, string>());
        Assert.Equal("200", (await GetAsync(https)).Status);
        Assert.Equal("403", (await GetAsync(https, sni: "")).Status);
        await host.WaitForLogAsync("AH02033: No hostname was provided via SNI for a name based virtual host");
        Assert.Equal(0, await host.StopAsync());
    }

    private static string Thumbprint(string pemFile) => X509Certificate2.CreateFromPem(File.ReadAllText(pemFile)).Thumbprint;

    /// <summary>A request for a.test over a new connection with <paramref name="sni"/> ("" for none): the status and the certificate the server showed.</summary>
    private static async Task<(string Status, string Thumbprint)> GetAsync(int port, string sni = "a.test")
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(System.Net.IPAddress.Loopback, port);
        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
        string? thumbprint = null;
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = sni,
            RemoteCertificateValidationCallback = (_, cert, _, _) =>
            {
                thumbprint = cert == null ? null : new X509Certificate2(cert).Thumbprint;
                return true;
            },
        });
        await tls.WriteAsync(Encoding.ASCII.GetBytes("GET /environ HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n"));
        var buffer = new byte[12];
        int read = 0;
        while (read < buffer.Length && await tls.ReadAsync(buffer.AsMemory(read)) is int n and > 0)
        {
            read += n;
        }
        return (Encoding.ASCII.GetString(buffer, 0, read)[9..], thumbprint!);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, WsgiHostProcess host)
    {
        for (int i = 0; i < 600 && !condition(); i++)
        {
            await Task.Delay(50);
        }
        Assert.True(condition(), host.ErrorLog);
    }
}
