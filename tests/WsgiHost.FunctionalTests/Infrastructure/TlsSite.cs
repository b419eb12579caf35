using System.Net.Security;
using System.Net.Sockets;

namespace WsgiHost.FunctionalTests.Infrastructure;

/// <summary>
/// A site with a plain listener (which the test host waits on) and a TLS virtual host serving
/// gateway.wsgi, and clients that reach it on 127.0.0.1 whatever name their URL carries (the
/// name is what SNI and certificate checks see).
/// </summary>
public sealed record TlsSite(string ConfigFile, int HttpPort, int TlsPort)
{
    /// <summary>Writes FOLDER/site.conf: the virtual host's SSLEngine on line 7, <paramref name="extraLines"/> from line 10.</summary>
    public static TlsSite Write(string folder, string serverName, string certificate, string key, params string[] extraLines)
    {
        int http = WsgiHostProcess.FreePort();
        int https = WsgiHostProcess.FreePort();
        string app = WsgiHostProcess.App("gateway.wsgi");
        string conf = Path.Combine(folder, "site.conf");
        File.WriteAllLines(conf,
        [
            $"Listen 127.0.0.1:{http}",
            $"Listen 127.0.0.1:{https}",
            "WSGIApplicationGroup %{GLOBAL}",
            $"WSGIScriptAlias / {app}",
            $"<VirtualHost *:{https}>",
            $"    ServerName {serverName}",
            "    SSLEngine on",
            $"    SSLCertificateFile {certificate}",
            $"    SSLCertificateKeyFile {key}",
            .. extraLines.Select(l => "    " + l),
            $"    WSGIScriptAlias / {app}",
            "</VirtualHost>",
        ]);
        return new TlsSite(conf, http, https);
    }

    public Task<WsgiHostProcess> RunAsync() => WsgiHostProcess.RunAsync(ConfigFile, HttpPort, new Dictionary<string, string>());

    /// <summary>An HTTP client whose connections go to the TLS port, with these TLS options.</summary>
    public HttpClient Client(SslClientAuthenticationOptions tls) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, token) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(System.Net.IPAddress.Loopback, TlsPort, token);
            return new NetworkStream(socket, ownsSocket: true);
        },
        SslOptions = tls,
    });
}
