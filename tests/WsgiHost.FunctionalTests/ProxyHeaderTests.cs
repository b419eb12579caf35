using System.Text.Json;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>WSGITrustedProxyHeaders / WSGITrustedProxies and SetEnv HTTPS, over HTTP.</summary>
public sealed class ProxyHeaderTests
{
    private static async Task<JsonElement> EnvironAsync(WsgiHostProcess host, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Forwarded-For", "6.6.6.6, 203.0.113.7");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "www.example.com");
        request.Headers.Add("X-Real-IP", "9.9.9.9");
        using var response = await host.Client.SendAsync(request);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    private static string? Value(JsonElement environ, string key) =>
        environ.TryGetProperty(key, out JsonElement e) ? e.GetProperty("value").GetString() : null;

    [Fact]
    public async Task ATrustedProxysHeadersApplyAndAnUntrustedOnesAreRemoved()
    {
        int port = WsgiHostProcess.FreePort();
        await using var host = await WsgiHostProcess.RunAsync(Path.Combine(WsgiHostProcess.TestAppsDirectory, "configs", "proxy.conf"), port,
            new Dictionary<string, string> { ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        JsonElement trusted = await EnvironAsync(host, "/trusted/environ");
        Assert.Equal("203.0.113.7", Value(trusted, "REMOTE_ADDR"));       // the entry left of the trusted proxy
        Assert.Equal("https", Value(trusted, "wsgi.url_scheme"));
        Assert.Equal("on", Value(trusted, "HTTPS"));
        Assert.Equal("www.example.com", Value(trusted, "HTTP_HOST"));
        Assert.Equal("www.example.com", Value(trusted, "SERVER_NAME"));
        Assert.Null(Value(trusted, "HTTP_X_REAL_IP"));                  // a synonym of an applied category
        Assert.Equal("203.0.113.7", Value(trusted, "HTTP_X_FORWARDED_FOR"));            // the spoofed 6.6.6.6 is dropped

        JsonElement untrusted = await EnvironAsync(host, "/untrusted/environ");
        Assert.Equal("127.0.0.1", Value(untrusted, "REMOTE_ADDR"));
        Assert.Equal("http", Value(untrusted, "wsgi.url_scheme"));
        Assert.Null(Value(untrusted, "HTTP_X_FORWARDED_FOR"));
        Assert.Null(Value(untrusted, "HTTP_X_FORWARDED_PROTO"));
        Assert.Null(Value(untrusted, "HTTP_X_REAL_IP"));
        Assert.Equal("www.example.com", Value(untrusted, "HTTP_X_FORWARDED_HOST")); // not listed: passed through

        JsonElement tls = await EnvironAsync(host, "/tls/environ");
        Assert.Equal("https", Value(tls, "wsgi.url_scheme"));             // SetEnv HTTPS on
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task ThePROXYProtocolGivesTheClientAddressAndAConnectionWithoutItIsClosed()
    {
        int port = WsgiHostProcess.FreePort();
        await using var host = await WsgiHostProcess.RunAsync(Path.Combine(WsgiHostProcess.TestAppsDirectory, "configs", "proxy-protocol.conf"), port,
            new Dictionary<string, string> { ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        string response = await RawHttp.SendAsync(port, "PROXY TCP4 203.0.113.7 127.0.0.1 51234 80\r\nGET /environ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        Assert.Equal(200, RawHttp.StatusOf(response));
        JsonElement environ = JsonDocument.Parse(response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]).RootElement;
        Assert.Equal("203.0.113.7", Value(environ, "REMOTE_ADDR"));
        Assert.Equal("51234", Value(environ, "REMOTE_PORT"));
        // Access rules see the client's address too.
        string office = await RawHttp.SendAsync(port, "PROXY TCP4 203.0.113.7 127.0.0.1 51234 80\r\nGET /write HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        Assert.Equal(200, RawHttp.StatusOf(office));
        string outsider = await RawHttp.SendAsync(port, "PROXY TCP4 198.51.100.9 127.0.0.1 4000 80\r\nGET /write HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        Assert.Equal(403, RawHttp.StatusOf(outsider));
        // No header: the connection is closed without an answer (a client cannot pick its address).
        string direct = await RawHttp.SendAsync(port, "GET /environ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        Assert.Equal("", direct);
        await host.WaitForLogAsync("did not start with a valid PROXY header");
        Assert.Equal(0, await host.StopAsync());
    }
}
