using System.Net;
using System.Text.Json;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>`wsgihost run` serving the example site configurations in examples/sites over HTTP.</summary>
public sealed class ExampleSitesTests
{
    private static string Site(string name) => Path.Combine(WsgiHostProcess.RepoRoot, "examples", "sites", name);

    private static async Task<WsgiHostProcess> RunAsync(string config, params (string Name, string Value)[] defines)
    {
        int port = WsgiHostProcess.FreePort();
        var all = new Dictionary<string, string> { ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        foreach (var (name, value) in defines)
        {
            all[name] = value;
        }
        return await WsgiHostProcess.RunAsync(Site(config), port, all);
    }

    private static async Task<JsonElement> JsonAsync(HttpClient client, HttpRequestMessage request)
    {
        using HttpResponseMessage response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    private static HttpRequestMessage Get(string path, string? host = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (host != null)
        {
            request.Headers.Host = host;
        }
        return request;
    }

    [Fact]
    public async Task TwoAppsUnderOneHostEachGetTheirOwnMount()
    {
        await using var host = await RunAsync("two-apps.conf");
        Assert.Contains("WsgiHost running", host.Output);
        string hello = await host.Client.GetStringAsync("/hello/x");
        Assert.Contains("SCRIPT_NAME='/hello' PATH_INFO='/x'", hello);
        JsonElement notes = await JsonAsync(host.Client, Get("/notes/abc"));
        Assert.Equal("notes", notes.GetProperty("app").GetString());
        Assert.Equal("abc", notes.GetProperty("note").GetString());
        Assert.Equal("/notes", notes.GetProperty("script_name").GetString());
        using var missing = await host.Client.GetAsync("/other");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        // /hellox is not under /hello: prefixes match whole segments.
        using var partial = await host.Client.GetAsync("/hellox");
        Assert.Equal(HttpStatusCode.NotFound, partial.StatusCode);
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task NameBasedVirtualHostsChooseByHostAndFallBackToTheFirst()
    {
        await using var host = await RunAsync("two-vhosts.conf");
        Assert.Contains("Hello from WsgiHost", await (await host.Client.SendAsync(Get("/", "hello.example.test"))).Content.ReadAsStringAsync());
        JsonElement notes = await JsonAsync(host.Client, Get("/", $"notes.example.test:{host.Port}"));
        Assert.Equal("notes", notes.GetProperty("app").GetString());
        Assert.Equal("notes.example.test", notes.GetProperty("server_name").GetString());
        Assert.Equal(host.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), notes.GetProperty("server_port").GetString());
        // ServerAlias wildcard, case and a trailing dot are ignored.
        Assert.Equal("notes", (await JsonAsync(host.Client, Get("/", "a.b.notes.example.test"))).GetProperty("app").GetString());
        Assert.Equal("notes", (await JsonAsync(host.Client, Get("/", "NOTES.Example.Test."))).GetProperty("app").GetString());
        // *.notes.example.test does not match notes.example.test's parent or siblings.
        Assert.Contains("Hello from WsgiHost", await (await host.Client.SendAsync(Get("/", "example.test"))).Content.ReadAsStringAsync());
        Assert.Contains("Hello from WsgiHost", await (await host.Client.SendAsync(Get("/", "unknown.test"))).Content.ReadAsStringAsync());

        string http10 = await RawHttp.SendAsync(host.Port, "GET / HTTP/1.0\r\n\r\n");
        Assert.Equal(200, RawHttp.StatusOf(http10));
        Assert.Contains("Hello from WsgiHost", http10);
        string emptyHost = await RawHttp.SendAsync(host.Port, "GET / HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n");
        Assert.Equal(400, RawHttp.StatusOf(emptyHost));
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task AliasServesStaticFilesBeforeTheAppAtTheRoot()
    {
        await using var host = await RunAsync("static-files.conf");
        using (var css = await host.Client.GetAsync("/static/css/site.css"))
        {
            Assert.Equal(HttpStatusCode.OK, css.StatusCode);
            Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
            Assert.Contains("font-family", await css.Content.ReadAsStringAsync());
            var etag = css.Headers.ETag!;
            using var conditional = await host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/static/css/site.css") { Headers = { IfNoneMatch = { etag } } });
            Assert.Equal(HttpStatusCode.NotModified, conditional.StatusCode);
        }
        using (var range = await host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/static/css/site.css") { Headers = { Range = new System.Net.Http.Headers.RangeHeaderValue(0, 3) } }))
        {
            Assert.Equal(HttpStatusCode.PartialContent, range.StatusCode);
            Assert.Equal("body", await range.Content.ReadAsStringAsync());
        }
        using (var index = await host.Client.GetAsync("/static/"))
        {
            Assert.Equal(HttpStatusCode.OK, index.StatusCode);
            Assert.Contains("Static files served by Alias", await index.Content.ReadAsStringAsync());
        }
        // A folder without index.html is 404, never a listing.
        using (var folder = await host.Client.GetAsync("/static/css/"))
        {
            Assert.Equal(HttpStatusCode.NotFound, folder.StatusCode);
        }
        // "Alias /static/" does not cover "/static": the app at / answers it.
        Assert.Contains("PATH_INFO='/static'", await host.Client.GetStringAsync("/static"));
        // Dot segments are resolved before mapping, so they cannot climb out of the alias.
        string climbed = await RawHttp.SendAsync(host.Port, "GET /static/../apps/hello.wsgi HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        Assert.Contains("PATH_INFO='/apps/hello.wsgi'", climbed);
        // A file alias serves exactly that file.
        Assert.Contains("font-family", await host.Client.GetStringAsync("/favicon.ico"));
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task AccessControlDeniesWith403AndTheAccessLogShowsIt()
    {
        string logs = Directory.CreateTempSubdirectory("wsgihost-logs-").FullName;
        try
        {
            await using var host = await RunAsync("access-control.conf", ("LOGS", logs));
            async Task<HttpStatusCode> Status(string path)
            {
                using var r = await host.Client.GetAsync(path);
                return r.StatusCode;
            }
            Assert.Equal(HttpStatusCode.Forbidden, await Status("/private/secret.txt"));
            Assert.Equal(HttpStatusCode.OK, await Status("/static/index.html"));
            Assert.Equal(HttpStatusCode.OK, await Status("/app/"));
            Assert.Equal(HttpStatusCode.OK, await Status("/app/admin"));           // loopback is allowed
            Assert.Equal(HttpStatusCode.Forbidden, await Status("/app/closed"));   // Order allow,deny + Deny from all
            Assert.Equal(HttpStatusCode.Forbidden, await Status("/app/closed/x"));
            Assert.Equal(HttpStatusCode.OK, await Status("/app/closedness"));      // whole segments only
            Assert.Equal(HttpStatusCode.Forbidden, await Status("/app/office"));   // not from 192.0.2.0/24
            await host.WaitForLogAsync("AH01630: client denied by server configuration");
            Assert.Equal(0, await host.StopAsync());
            string accessLog = await File.ReadAllTextAsync(Path.Combine(logs, "access.log"));
            Assert.Matches(@"127\.0\.0\.1 - - \[[^\]]+\] ""GET /private/secret\.txt HTTP/1\.1"" 403 \d+", accessLog);
            Assert.Matches(@"""GET /app/admin HTTP/1\.1"" 200", accessLog);
        }
        finally
        {
            Directory.Delete(logs, recursive: true);
        }
    }

    [Theory]
    [InlineData("two-apps.conf")]
    [InlineData("two-vhosts.conf")]
    [InlineData("static-files.conf")]
    [InlineData("access-control.conf")]
    public async Task EveryExampleChecksClean(string config)
    {
        var (code, output, error) = await WsgiHostProcess.RunToEndAsync("check", Site(config));
        Assert.True(code == 0, output + error);
        Assert.Contains("0 error(s), 0 warning(s)", output);
    }
}
