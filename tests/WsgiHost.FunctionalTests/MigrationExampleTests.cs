using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// examples/migration/site.conf, an Apache + mod_wsgi Django site (:80 and :443 sharing one
/// daemon group, static Alias, admin Location), served unchanged by `wsgihost run`.
/// </summary>
public sealed class MigrationExampleTests : IAsyncLifetime
{
    private readonly string _work = Directory.CreateTempSubdirectory("wsgihost-migration-").FullName;
    private readonly int _http = WsgiHostProcess.FreePort();
    private readonly int _https = WsgiHostProcess.FreePort();

    private static string Example => Path.Combine(WsgiHostProcess.RepoRoot, "examples", "migration");

    public Task InitializeAsync()
    {
        // A self-signed certificate for www.example.com, as the site's real one would be.
        TestCertificate.Write(_work, "example.com", "www.example.com", "example.com");
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_work, recursive: true);
        return Task.CompletedTask;
    }

    private Dictionary<string, string> Defines(params (string, string)[] extra)
    {
        var d = new Dictionary<string, string>
        {
            ["SITE_ROOT"] = Example,
            ["HTTP_PORT"] = _http.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["HTTPS_PORT"] = _https.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["CERTS"] = _work,
            ["LOGS"] = _work,
        };
        foreach (var (k, v) in extra)
        {
            d[k] = v;
        }
        return d;
    }

    /// <summary>A client for https://www.example.com:PORT that connects to 127.0.0.1 and trusts the test certificate.</summary>
    private static HttpClient TlsClient(int port) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, token) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, port, token);
            return new NetworkStream(socket, ownsSocket: true);
        },
        SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, cert, _, _) => cert?.Subject == "CN=www.example.com" },
    })
    { BaseAddress = new Uri($"https://www.example.com:{port}") };

    [Fact]
    public async Task TheSiteServesHttpAndHttpsFromOneDaemonGroupWithStaticFilesAndAGuardedAdmin()
    {
        await using var host = await WsgiHostProcess.RunAsync(Path.Combine(Example, "site.conf"), _http, Defines());
        Assert.Contains($"listening: https://*:{_https}", host.Output);

        using var home = new HttpRequestMessage(HttpMethod.Get, "/");
        home.Headers.Host = "www.example.com";
        using HttpResponseMessage response = await host.Client.SendAsync(home);
        JsonElement http = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("http", http.GetProperty("scheme").GetString());
        Assert.False(response.Headers.Contains("Strict-Transport-Security")); // env=HTTPS: over TLS only
        Assert.Equal("production", http.GetProperty("site_env").GetString());  // SetEnv reaches the environ
        Assert.Equal("mysite.settings", http.GetProperty("settings_module").GetString());
        Assert.Equal("example.com", http.GetProperty("process_group").GetString());        // served by the daemon group's workers

        using (HttpClient tls = TlsClient(_https))
        {
            JsonElement https = JsonDocument.Parse(await tls.GetStringAsync("/")).RootElement;
            Assert.Equal("https", https.GetProperty("scheme").GetString());
            // The :443 vhost uses the group the :80 vhost defined: same ServerName, so allowed.
            using var css = await tls.GetAsync("/static/admin/css/base.css");
            Assert.Equal(HttpStatusCode.OK, css.StatusCode);
            Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
            // mod_headers and mod_expires as the site had them.
            Assert.Equal("max-age=63072000; includeSubDomains", string.Join(",", css.Headers.GetValues("Strict-Transport-Security")));
            Assert.Equal(TimeSpan.FromDays(30), css.Headers.CacheControl?.MaxAge);
        }

        // Plain HTTP sent to the TLS port gets Apache's explanation, not a dropped connection.
        string plain = await RawHttp.SendAsync(_https, "GET / HTTP/1.1\r\nHost: www.example.com\r\n\r\n");
        Assert.Equal(400, RawHttp.StatusOf(plain));
        Assert.Contains("speaking plain HTTP to an SSL-enabled server port", plain);

        using var robots = new HttpRequestMessage(HttpMethod.Get, "/robots.txt");
        robots.Headers.Host = "example.com";
        Assert.Contains("Disallow: /admin/", await (await host.Client.SendAsync(robots)).Content.ReadAsStringAsync());

        // /admin is for the office network only; 127.0.0.1 is not in it.
        using var admin = new HttpRequestMessage(HttpMethod.Get, "/admin/");
        admin.Headers.Host = "www.example.com";
        using HttpResponseMessage denied = await host.Client.SendAsync(admin);
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Equal(0, await host.StopAsync());
        // The site's ErrorLog, not standard error, has the server's messages (here the 403).
        Assert.Contains("AH01630: client denied by server configuration", await File.ReadAllTextAsync(Path.Combine(_work, "error.log")));

        string accessLog = await File.ReadAllTextAsync(Path.Combine(_work, "access.log"));
        Assert.Matches(@"""GET /admin/ HTTP/1\.1"" 403 \d+ ""-"" ""-"" \d+", accessLog);
        // One log for both virtual hosts, as the two CustomLog lines name the same file.
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(accessLog, @"""GET / HTTP/1\.1"" 200").Count);
    }

    [Fact]
    public async Task TheOfficeNetworkReachesDjangoAdmin()
    {
        await using var host = await WsgiHostProcess.RunAsync(Path.Combine(Example, "site.conf"), _http, Defines(("OFFICE_NETWORK", "127.0.0.0/8")));
        using var admin = new HttpRequestMessage(HttpMethod.Get, "/admin/");
        admin.Headers.Host = "www.example.com";
        HttpClient client = host.ClientWithoutRedirects;
        using HttpResponseMessage response = await client.SendAsync(admin);
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.StartsWith("/admin/login/", response.Headers.Location?.OriginalString);
        using var login = new HttpRequestMessage(HttpMethod.Get, "/admin/login/");
        login.Headers.Host = "www.example.com";
        string page = await (await client.SendAsync(login)).Content.ReadAsStringAsync();
        Assert.Contains("csrfmiddlewaretoken", page);

        // Debian's deflate.conf in the site: a browser that accepts gzip gets the page compressed
        // (from the daemon group's Django), varying by Cookie (Django's) and Accept-Encoding.
        using var gzipLogin = new HttpRequestMessage(HttpMethod.Get, "/admin/login/");
        gzipLogin.Headers.Host = "www.example.com";
        gzipLogin.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip, deflate, br");
        using HttpResponseMessage compressed = await client.SendAsync(gzipLogin);
        Assert.Equal("gzip", Assert.Single(compressed.Content.Headers.ContentEncoding));
        Assert.Contains("Cookie", compressed.Headers.Vary);
        Assert.Contains("Accept-Encoding", compressed.Headers.Vary);
        using (var gzip = new System.IO.Compression.GZipStream(await compressed.Content.ReadAsStreamAsync(), System.IO.Compression.CompressionMode.Decompress))
        using (var reader = new StreamReader(gzip))
        {
            Assert.Contains("csrfmiddlewaretoken", await reader.ReadToEndAsync());
        }
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task CheckPassesTheSite()
    {
        var d = Defines();
        var (code, output, error) = await WsgiHostProcess.RunToEndAsync(["check", Path.Combine(Example, "site.conf"), .. d.SelectMany(p => new[] { "-D", $"{p.Key}={p.Value}" })]);
        Assert.True(code == 0, output + error);
        Assert.Contains("0 error(s)", output);
        Assert.Contains("LoadModule: tunes Apache itself", output);
    }
}
