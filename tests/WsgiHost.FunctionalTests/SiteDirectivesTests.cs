using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>mod_wsgi's directives and WSGIScriptAlias options, as `wsgihost run` applies them per request.</summary>
public sealed class SiteDirectivesTests
{
    private static Task<WsgiHostProcess> RunAsync(string config) => WsgiHostProcess.RunConfigAsync(config);

    private static async Task<JsonElement> EnvironAsync(HttpClient client, string path, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        configure?.Invoke(request);
        using HttpResponseMessage response = await client.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    private static string? Value(JsonElement environ, string key) =>
        environ.TryGetProperty(key, out JsonElement e) ? e.GetProperty("value").GetString() : null;

    [Fact]
    public async Task GroupsCallablesSetEnvAndAuthorizationFollowModWsgi()
    {
        await using var host = await RunAsync("directives.conf");

        // %{RESOURCE}, Apache's default: ServerName, the port (not 80/443), "|", SCRIPT_NAME.
        JsonElement resource = await EnvironAsync(host.Client, "/resource/environ", r => r.Headers.Authorization = new AuthenticationHeaderValue("Basic", "dTpw"));
        Assert.Equal($"directives.test:{host.Port}|/resource", Value(resource, "mod_wsgi.application_group"));
        Assert.Null(Value(resource, "HTTP_AUTHORIZATION"));                 // WSGIPassAuthorization Off by default
        Assert.Equal("blue", Value(resource, "DEPLOY_COLOUR"));             // SetEnv reaches the environ

        JsonElement global = await EnvironAsync(host.Client, "/global/environ", r => r.Headers.Authorization = new AuthenticationHeaderValue("Basic", "dTpw"));
        Assert.Equal("", Value(global, "mod_wsgi.application_group"));
        Assert.Equal("Basic dTpw", Value(global, "HTTP_AUTHORIZATION"));    // pass-authorization=On
        // ... and never os.environ.
        Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(await host.Client.GetStringAsync("/global/os-environ?DEPLOY_COLOUR")).RootElement.GetProperty("value").ValueKind);

        Assert.Equal("alternate callable", await host.Client.GetStringAsync("/alt/"));

        // A daemon group's apps run in its worker processes, and the environ says so.
        Assert.Equal("workers", Value(await EnvironAsync(host.Client, "/daemon/environ"), "mod_wsgi.process_group"));

        JsonElement match = await EnvironAsync(host.Client, "/match/abc/environ");
        Assert.Equal("/match/abc", Value(match, "SCRIPT_NAME"));
        Assert.Equal("/environ", Value(match, "PATH_INFO"));

        // %{ENV:...} that resolves to nothing names no group: 500, as mod_wsgi.
        using (var missing = await host.Client.GetAsync("/envgroup/environ"))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, missing.StatusCode);
        }
        await host.WaitForLogAsync("No WSGI daemon process called '%{ENV:NO_SUCH_GROUP_VARIABLE}' has been configured");
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task ChunkedBodiesLimitsAndHeadMappingArePerLocation()
    {
        await using var host = await RunAsync("directives.conf");
        async Task<HttpStatusCode> Post(string path, byte[] body, bool chunked)
        {
            using var content = new ByteArrayContent(body);
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
            request.Headers.TransferEncodingChunked = chunked;
            using var response = await host.Client.SendAsync(request);
            return response.StatusCode;
        }
        byte[] eleven = Encoding.ASCII.GetBytes("hello world");
        Assert.Equal(HttpStatusCode.OK, await Post("/chunked/echo", eleven, chunked: true));            // WSGIChunkedRequest On
        Assert.Equal(HttpStatusCode.LengthRequired, await Post("/global/echo", eleven, chunked: true)); // Off: 411
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await Post("/small/echo", eleven, chunked: false));
        Assert.Equal(HttpStatusCode.OK, await Post("/small/echo", eleven[..5], chunked: false));

        using (var head = await host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/head/method")))
        {
            Assert.Equal("GET", head.Headers.GetValues("X-Request-Method").Single());   // WSGIMapHEADToGET On
        }
        using (var head = await host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/global/method")))
        {
            Assert.Equal("HEAD", head.Headers.GetValues("X-Request-Method").Single());  // Auto: no filter needs GET
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        }
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task RestrictEmbeddedRefusesRequestsNotDelegatedToADaemonGroup()
    {
        await using var host = await RunAsync("restrict.conf");
        Assert.Contains("in the daemon workers, not loaded in the server process (WSGIRestrictEmbedded On)", host.Output);
        using (var embedded = await host.Client.GetAsync("/embedded/environ"))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, embedded.StatusCode);
        }
        await host.WaitForLogAsync("Embedded mode of mod_wsgi disabled by runtime configuration");
        using (var daemon = await host.Client.GetAsync("/daemon/environ"))
        {
            Assert.Equal(HttpStatusCode.OK, daemon.StatusCode);
        }
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task ImportScriptPreloadsAndEveryMountReusesTheModule()
    {
        await using var host = await RunAsync("preload.conf");
        await host.WaitForLogAsync("Imported WSGI script");
        Assert.Equal("loads=1 this=1", await host.Client.GetStringAsync("/a"));
        Assert.Equal("loads=1 this=1", await host.Client.GetStringAsync("/b"));
        Assert.Equal(0, await host.StopAsync());
    }
}
