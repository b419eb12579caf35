using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using WsgiHost.AspNetCore;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// MapWsgi in an ASP.NET Core app (the in-process <see cref="AspNetCoreHost"/>), over real
/// HTTP on 127.0.0.1: .NET and Python endpoints in one host, authorization conventions on a
/// mount, the CGI variables a mount produces, the client-disconnect path, the body checks.
/// </summary>
[Collection(AspNetCoreCollection.Name)]
public sealed class AspNetCoreTests(AspNetCoreHost host)
{
    private HttpClient Client => host.Client;

    /// <summary>The gateway fixture's /environ route: the str values of the environ.</summary>
    private async Task<Dictionary<string, string>> EnvironAsync(string url, string? user = null)
    {
        using var response = await Client.SendAsync(AspNetCoreHost.Get(url, user));
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode} {body}");
        using var json = JsonDocument.Parse(body);
        return json.RootElement.EnumerateObject()
            .Where(p => p.Value.TryGetProperty("value", out _))
            .ToDictionary(p => p.Name, p => p.Value.GetProperty("value").GetString()!);
    }

    [Fact]
    public async Task DotNetAndPythonEndpointsServeFromOneHost()
    {
        using var dotnet = await Client.SendAsync(AspNetCoreHost.Get("/api/hello", "alice"));
        Assert.Equal("hello alice", await dotnet.Content.ReadAsStringAsync());

        var environ = await EnvironAsync("/gw/environ");
        Assert.Equal("WsgiHost", environ["SERVER_SOFTWARE"]);
        Assert.Equal("gw", environ["MOUNT"]);
    }

    [Theory]
    [InlineData("/api/hello")]
    [InlineData("/secure/gw/environ")]
    [InlineData("/secure/gw")]
    public async Task TheAuthorizationPolicyCoversTheMountAndItsPrefix(string url)
    {
        using var anonymous = await Client.SendAsync(AspNetCoreHost.Get(url));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var guest = await Client.SendAsync(AspNetCoreHost.Get(url, "guest"));
        Assert.Equal(HttpStatusCode.Forbidden, guest.StatusCode);
        using var member = await Client.SendAsync(AspNetCoreHost.Get(url, "alice"));
        // /secure/gw itself is PATH_INFO "", which the fixture app answers with its own 404.
        Assert.NotEqual(HttpStatusCode.Unauthorized, member.StatusCode);
        Assert.NotEqual(HttpStatusCode.Forbidden, member.StatusCode);
    }

    [Fact]
    public async Task TheAuthenticatedUserIsRemoteUser()
    {
        var environ = await EnvironAsync("/secure/gw/environ", "alice");
        Assert.Equal("alice", environ["REMOTE_USER"]);
        Assert.Equal("X-User", environ["AUTH_TYPE"]);
        Assert.Equal("/secure/gw", environ["SCRIPT_NAME"]);

        var anonymous = await EnvironAsync("/gw/environ");
        Assert.False(anonymous.ContainsKey("REMOTE_USER"));
        Assert.False(anonymous.ContainsKey("AUTH_TYPE"));
    }

    [Theory]
    [InlineData("/gw/environ", "/gw", "/environ")]
    [InlineData("/GW/environ", "/GW", "/environ")]
    [InlineData("/gw//environ", "/gw", "/environ")]
    [InlineData("/gw/x/../environ", "/gw", "/environ")]
    [InlineData("/gw/%65nviron", "/gw", "/environ")]
    [InlineData("/base/gw/environ", "/base/gw", "/environ")]
    public async Task ScriptNameIsPathBaseAndPrefixAndPathInfoTheRest(string url, string scriptName, string pathInfo)
    {
        // Raw HTTP: HttpClient would resolve the dot segments and escapes itself. The fixture
        // routes on PATH_INFO, so a wrong split would not reach /environ.
        string response = await RawHttp.SendAsync(host.Port, $"GET {url} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        string body = response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        Assert.StartsWith("HTTP/1.1 200", response, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(scriptName, json.RootElement.GetProperty("SCRIPT_NAME").GetProperty("value").GetString());
        Assert.Equal(pathInfo, json.RootElement.GetProperty("PATH_INFO").GetProperty("value").GetString());
        Assert.Equal(url, json.RootElement.GetProperty("REQUEST_URI").GetProperty("value").GetString());
    }

    /// <summary>
    /// SCRIPT_NAME is where routing matched the mount: below a route group and its parameters,
    /// after an internal rewrite (REQUEST_URI stays the client's, as after mod_rewrite), and at
    /// a prefix that is not ASCII (WSGI's latin-1 form of its UTF-8 bytes).
    /// </summary>
    [Theory]
    [InlineData("/grp/acme/py/environ", "/grp/acme/py", "/environ")]
    [InlineData("/old/environ", "/gw", "/environ")]
    [InlineData("/caf%C3%A9/environ", "/caf\u00c3\u00a9", "/environ")]
    public async Task TheMountIsWhereRoutingMatchedIt(string url, string scriptName, string pathInfo)
    {
        var environ = await EnvironAsync(url);
        Assert.Equal((scriptName, pathInfo, url), (environ["SCRIPT_NAME"], environ["PATH_INFO"], environ["REQUEST_URI"]));
    }

    /// <summary>A whole body (a list the app returns) reaches a client through a middleware that replaced the response stream.</summary>
    [Fact]
    public async Task AResponseStreamAMiddlewareReplacedGetsTheWholeBody()
    {
        using var response = await Client.SendAsync(AspNetCoreHost.Get("/copied/environ"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("/copied", json.RootElement.GetProperty("SCRIPT_NAME").GetProperty("value").GetString());
    }

    /// <summary>A second MapWsgi at the same prefix is refused at startup (routing would otherwise answer every request there 500).</summary>
    [Fact]
    public async Task TwoMountsAtOnePrefixAreRefusedAtStartup()
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        builder.Services.AddWsgi(o => o.Python = Pythons.Debian);
        await using var app = builder.Build();
        app.MapWsgi("/py", WsgiHostProcess.App("gateway.wsgi"));
        var refused = Assert.Throws<InvalidOperationException>(() => app.MapWsgi("/py/", WsgiHostProcess.App("pid.wsgi")));
        Assert.Equal("MapWsgi(\"/py/\"): another MapWsgi mounts an application at '/py' already; give each application its own prefix", refused.Message);
        // Another builder (a route group) is another place.
        app.MapGroup("/v2").MapWsgi("/py", WsgiHostProcess.App("pid.wsgi"));
    }

    [Fact]
    public async Task TheBarePrefixIsMountedWithAnEmptyPathInfo()
    {
        using var response = await Client.SendAsync(AspNetCoreHost.Get("/gw"));
        // gateway.wsgi answers unknown PATH_INFO with "no route '<path>'".
        Assert.Equal("no route ''", await response.Content.ReadAsStringAsync());
        using var other = await Client.SendAsync(AspNetCoreHost.Get("/gwx/environ"));
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal(0, other.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task AnotherCallableInItsOwnSubInterpreter()
    {
        using var response = await Client.SendAsync(AspNetCoreHost.Get("/alt/anything"));
        Assert.Equal("alternate callable", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AMissingScriptIs404AsTheServerAnswers()
    {
        using var response = await Client.SendAsync(AspNetCoreHost.Get("/missing/x"));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("The requested URL was not found on this server.", await response.Content.ReadAsStringAsync());
        await host.WaitForLogAsync("Target WSGI script not found or unable to stat: " + Path.Combine(WsgiHostProcess.TestAppsDirectory, "no-such-script.wsgi"));
    }

    [Fact]
    public async Task ChunkedBodiesAre411AndLargeBodies413AsConfigured()
    {
        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/gw/echo") { Content = new StreamContent(new MemoryStream(Encoding.ASCII.GetBytes("abc"))) };
        chunked.Headers.TransferEncodingChunked = true;
        using var refused = await Client.SendAsync(chunked);
        Assert.Equal(HttpStatusCode.LengthRequired, refused.StatusCode);

        using var large = await Client.PostAsync("/small/echo", new ByteArrayContent(new byte[11]));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
        using var fits = await Client.PostAsync("/small/echo", new ByteArrayContent(new byte[10]));
        Assert.Equal(HttpStatusCode.OK, fits.StatusCode);
    }

    [Fact]
    public async Task PythonOutputGoesToTheWsgiHostLogger()
    {
        string tag = Guid.NewGuid().ToString("N");
        using var response = await Client.SendAsync(AspNetCoreHost.Get("/gw/print?" + tag));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string log = await host.WaitForLogAsync("printed line one " + tag);
        Assert.Contains("errors line b " + tag, log, StringComparison.Ordinal);
        Assert.Contains("Initializing Python 3.11", log, StringComparison.Ordinal);
    }

    /// <summary>
    /// A client gone mid-response cancels RequestAborted; the exchange's flush then reports the
    /// client gone, the gateway stops iterating and calls close() once, long before the app's
    /// 200 chunks (4 s) would have run out.
    /// </summary>
    [Fact]
    public async Task AClientDisconnectMidResponseStopsTheAppAndCallsClose()
    {
        string tag = Guid.NewGuid().ToString("N");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, host.Port);
            NetworkStream stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /gw/close?slow&{tag} HTTP/1.1\r\nHost: a\r\n\r\n"));
            await stream.ReadAtLeastAsync(new byte[1024], 1);
            client.Client.LingerState = new LingerOption(true, 0); // a reset, as a client that went away
        }
        int count = 0;
        while (watch.Elapsed < TimeSpan.FromSeconds(15) && (count = await CloseCountAsync(tag)) == 0)
        {
            await Task.Delay(50);
        }
        Assert.Equal(1, count);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3.5), $"close() ran only after {watch.Elapsed}: the app was not stopped when the client left");
        await Task.Delay(300);
        Assert.Equal(1, await CloseCountAsync(tag));
    }

    private async Task<int> CloseCountAsync(string tag)
    {
        using var response = await Client.GetAsync($"/gw/close?count&{tag}");
        return int.Parse(await response.Content.ReadAsStringAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
