using System.Text.Json;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>UseCanonicalName On: the app sees ServerName and its port, whatever Host the client sent (QA: it was accepted and ignored).</summary>
public sealed class CanonicalNameTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wsgihost-canonical-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task ServerNameAndPortComeFromServerNameNotFromHost()
    {
        int port = WsgiHostProcess.FreePort();
        string conf = Path.Combine(_dir, "site.conf");
        File.WriteAllText(conf, $"""
            Listen 127.0.0.1:{port}
            ServerName localhost
            <VirtualHost *:{port}>
                ServerName first.test
                UseCanonicalName On
                WSGIScriptAlias / {WsgiHostProcess.App("gateway.wsgi")}
            </VirtualHost>
            <VirtualHost *:{port}>
                ServerName second.test:8080
                ServerAlias other.test
                UseCanonicalName On
                WSGIScriptAlias / {WsgiHostProcess.App("gateway.wsgi")}
            </VirtualHost>
            <VirtualHost *:{port}>
                ServerName third.test
                WSGIScriptAlias / {WsgiHostProcess.App("gateway.wsgi")}
            </VirtualHost>
            """);
        await using var host = await WsgiHostProcess.RunAsync(conf, port, new Dictionary<string, string>());

        Assert.Equal(("first.test", "80"), await ServerAsync(host, "evil.test:8443"));
        Assert.Equal(("second.test", "8080"), await ServerAsync(host, "other.test:9999"));
        // Off (the default): the client's Host.
        Assert.Equal(("third.test", "9999"), await ServerAsync(host, "third.test:9999"));
        Assert.Equal(0, await host.StopAsync());
    }

    /// <summary>
    /// ServerName https://name: behind a proxy that terminates TLS, REQUEST_SCHEME (and
    /// mod_rewrite's %{REQUEST_SCHEME}) say https, as Apache's ap_http_scheme; wsgi.url_scheme
    /// stays http, as mod_wsgi derives it from HTTPS alone (QA: the scheme was dropped).
    /// </summary>
    [Fact]
    public async Task AServerNameWithHttpsGivesRequestSchemeHttps()
    {
        int port = WsgiHostProcess.FreePort();
        string conf = Path.Combine(_dir, "scheme.conf");
        const string rule = "RewriteRule ^/old$ %{REQUEST_SCHEME}://%{HTTP_HOST}/new [R=301,L]";
        File.WriteAllText(conf, $"""
            Listen 127.0.0.1:{port}
            <VirtualHost *:{port}>
                ServerName https://proxied.test
                RewriteEngine On
                {rule}
                WSGIScriptAlias / {WsgiHostProcess.App("gateway.wsgi")}
            </VirtualHost>
            <VirtualHost *:{port}>
                ServerName plain.test
                WSGIScriptAlias / {WsgiHostProcess.App("gateway.wsgi")}
            </VirtualHost>
            """);
        await using var host = await WsgiHostProcess.RunAsync(conf, port, new Dictionary<string, string>());

        Assert.Equal(("https", "http"), await SchemesAsync(host, "proxied.test"));
        Assert.Equal(("http", "http"), await SchemesAsync(host, "plain.test"));
        using var old = new HttpRequestMessage(HttpMethod.Get, "/old");
        old.Headers.Host = "proxied.test";
        using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = host.Client.BaseAddress };
        using HttpResponseMessage moved = await noRedirects.SendAsync(old);
        Assert.Equal(301, (int)moved.StatusCode);
        Assert.Equal("https://proxied.test/new", moved.Headers.Location?.OriginalString);
        Assert.Equal(0, await host.StopAsync());
    }

    private static async Task<(string RequestScheme, string UrlScheme)> SchemesAsync(WsgiHostProcess host, string hostHeader)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/environ");
        request.Headers.Host = hostHeader;
        using HttpResponseMessage response = await host.Client.SendAsync(request);
        var environ = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return (environ.GetProperty("REQUEST_SCHEME").GetProperty("value").GetString()!, environ.GetProperty("wsgi.url_scheme").GetProperty("value").GetString()!);
    }

    private static async Task<(string Name, string Port)> ServerAsync(WsgiHostProcess host, string hostHeader)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/environ");
        request.Headers.Host = hostHeader;
        using HttpResponseMessage response = await host.Client.SendAsync(request);
        var environ = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return (environ.GetProperty("SERVER_NAME").GetProperty("value").GetString()!, environ.GetProperty("SERVER_PORT").GetProperty("value").GetString()!);
    }
}
