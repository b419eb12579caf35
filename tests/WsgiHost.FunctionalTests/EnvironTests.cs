using System.Net.Http.Headers;
using System.Text.Json;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

[Collection(GatewayCollection.Name)]
public sealed class EnvironTests(GatewayServer server)
{
    private WsgiHostProcess Host => server.Host;

    private async Task<Dictionary<string, JsonElement>> EnvironAsync(HttpRequestMessage request)
    {
        using HttpResponseMessage response = await Host.Client.SendAsync(request);
        Assert.Equal(200, (int)response.StatusCode);
        return JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(await response.Content.ReadAsStringAsync())!;
    }

    private static string Str(Dictionary<string, JsonElement> env, string key)
    {
        Assert.True(env.ContainsKey(key), $"environ has no {key}");
        Assert.Equal("str", env[key].GetProperty("type").GetString());
        return env[key].GetProperty("value").GetString()!;
    }

    private static string Repr(Dictionary<string, JsonElement> env, string key) => env[key].GetProperty("repr").GetString()!;

    [Fact]
    public async Task CgiVariablesDescribeTheRequest()
    {
        var env = await EnvironAsync(new HttpRequestMessage(HttpMethod.Get, "/environ?b=2&a=%20x"));
        Assert.Equal("GET", Str(env, "REQUEST_METHOD"));
        Assert.Equal("", Str(env, "SCRIPT_NAME"));
        Assert.Equal("/environ", Str(env, "PATH_INFO"));
        Assert.Equal("b=2&a=%20x", Str(env, "QUERY_STRING"));
        Assert.Equal("/environ?b=2&a=%20x", Str(env, "REQUEST_URI"));
        Assert.Equal("HTTP/1.1", Str(env, "SERVER_PROTOCOL"));
        Assert.Equal("http", Str(env, "REQUEST_SCHEME"));
        Assert.Equal("127.0.0.1", Str(env, "SERVER_NAME"));
        Assert.Equal(Host.Port.ToString(), Str(env, "SERVER_PORT"));
        Assert.Equal("127.0.0.1", Str(env, "REMOTE_ADDR"));
        Assert.True(int.Parse(Str(env, "REMOTE_PORT")) > 0);
        Assert.Equal("127.0.0.1", Str(env, "SERVER_ADDR"));
        Assert.Equal(WsgiHostProcess.App("gateway.wsgi"), Str(env, "SCRIPT_FILENAME"));
        Assert.StartsWith("WsgiHost", Str(env, "SERVER_SOFTWARE"));
        Assert.False(env.ContainsKey("CONTENT_LENGTH"));
        Assert.False(env.ContainsKey("PATH"));
        Assert.False(env.ContainsKey("HTTPS"));
    }

    [Fact]
    public async Task CodeWrittenForModWsgiCanImportItsModule()
    {
        var module = JsonDocument.Parse(await Host.Client.GetStringAsync("/mod-wsgi")).RootElement;
        Assert.Equal("", module.GetProperty("process_group").GetString());   // embedded
        Assert.Equal("", module.GetProperty("application_group").GetString());
        Assert.Equal(1, module.GetProperty("maximum_processes").GetInt32());
        Assert.Equal(8, module.GetProperty("threads_per_process").GetInt32());
        Assert.Equal(module.GetProperty("environ_version").GetRawText(), module.GetProperty("version").GetRawText());
    }

    [Fact]
    public async Task AnInstalledModWsgiPackageIsExtendedSoItsSubmodulesStillImport()
    {
        // pip's mod_wsgi (mod_wsgi.server in a Django project's INSTALLED_APPS): as mod_wsgi does,
        // the server gives the installed package its attributes instead of hiding it.
        await using var host = await WsgiHostProcess.StartAsync(WsgiHostProcess.App("gateway.wsgi"),
            "--python-path", Path.Combine(WsgiHostProcess.TestAppsDirectory, "modwsgi_package"));
        var module = JsonDocument.Parse(await host.Client.GetStringAsync("/mod-wsgi?submodule=1")).RootElement;
        Assert.Equal("pip mod_wsgi", module.GetProperty("package").GetString());
        Assert.Equal("mod_wsgi.server", module.GetProperty("server").GetString());
        Assert.Equal("", module.GetProperty("process_group").GetString());
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task WsgiKeysHaveTheirPep3333Types()
    {
        var env = await EnvironAsync(new HttpRequestMessage(HttpMethod.Get, "/environ"));
        Assert.Equal("(1, 0)", Repr(env, "wsgi.version"));
        Assert.Equal("http", Str(env, "wsgi.url_scheme"));
        Assert.Equal("True", Repr(env, "wsgi.multithread"));
        Assert.Equal("False", Repr(env, "wsgi.multiprocess"));
        Assert.Equal("False", Repr(env, "wsgi.run_once"));
        Assert.Equal("True", Repr(env, "wsgi.input_terminated"));
        Assert.Equal("Input", env["wsgi.input"].GetProperty("type").GetString());
        Assert.Equal("ErrorLog", env["wsgi.errors"].GetProperty("type").GetString());
        Assert.Contains("FileWrapper", Repr(env, "wsgi.file_wrapper"));
    }

    /// <summary>As mod_wsgi: a daemon worker of one thread replaced after each request runs once (QA: it said False).</summary>
    [Theory]
    [InlineData("1", "1", "True")]
    [InlineData("2", "1", "False")]
    [InlineData("1", "2", "False")]
    public async Task RunOnceIsTrueForOneThreadAndOneRequestPerWorker(string threads, string maximumRequests, string runOnce)
    {
        await using var host = await WsgiHostProcess.StartDaemonAsync(WsgiHostProcess.App("gateway.wsgi"), "--processes", "1", "--threads", threads, "--maximum-requests", maximumRequests);
        var env = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(await host.Client.GetStringAsync("/environ"))!;
        Assert.Equal(runOnce, Repr(env, "wsgi.run_once"));
        Assert.Equal(threads == "1" ? "False" : "True", Repr(env, "wsgi.multithread"));
        Assert.Equal(0, await host.StopAsync());
    }

    /// <summary>
    /// locale= sets every category, as mod_wsgi's setlocale(LC_ALL): Python alone sets only
    /// LC_CTYPE, and dates and numbers stayed in "C" (QA). An unknown locale is a warning.
    /// </summary>
    [Fact]
    public async Task LocaleSetsEveryCategoryOfTheWorkers()
    {
        await using (var host = await WsgiHostProcess.StartDaemonAsync(WsgiHostProcess.App("gateway.wsgi"), "--processes", "1", "--locale", "C.UTF-8"))
        {
            Assert.Equal("C.UTF-8", await host.Client.GetStringAsync("/locale"));
            Assert.Equal(0, await host.StopAsync());
        }
        await using (var host = await WsgiHostProcess.StartDaemonAsync(WsgiHostProcess.App("gateway.wsgi"), "--processes", "1", "--locale", "xx_NOWHERE.UTF-8"))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, (await host.Client.GetAsync("/locale")).StatusCode);
            await host.WaitForLogAsync("Unsupported locale setting 'xx_NOWHERE.UTF-8' specified for daemon process group");
            Assert.Equal(0, await host.StopAsync());
        }
    }

    [Fact]
    public async Task ModWsgiKeysDescribeEmbeddedMode()
    {
        var env = await EnvironAsync(new HttpRequestMessage(HttpMethod.Get, "/environ"));
        Assert.Equal("", Str(env, "mod_wsgi.process_group"));
        Assert.Equal("", Str(env, "mod_wsgi.application_group"));
        Assert.Equal("application", Str(env, "mod_wsgi.callable_object"));
        Assert.Equal("1", Str(env, "mod_wsgi.script_reloading"));
        Assert.Matches(@"^\(\d+, \d+, \d+\)$", Repr(env, "mod_wsgi.version"));
        Assert.NotEqual("", Str(env, "mod_wsgi.request_id"));
        var other = await EnvironAsync(new HttpRequestMessage(HttpMethod.Get, "/environ"));
        Assert.NotEqual(Str(env, "mod_wsgi.request_id"), Str(other, "mod_wsgi.request_id"));
    }

    [Fact]
    public async Task PathInfoIsPercentDecodedAsLatin1WithSlashesMergedAndRequestUriRaw()
    {
        string response = await RawHttp.SendAsync(Host.Port,
            "GET //environ/caf%C3%A9//x/./y/../z%20q?k=%2F HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        Assert.Equal(404, RawHttp.StatusOf(response)); // the route is /environ only; the app answered
        Assert.Contains("no route '/environ/caf\\xc3\\xa9/x/z q'", response);

        string merged = await RawHttp.SendAsync(Host.Port, "GET //environ?x=%41 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        Assert.Equal(200, RawHttp.StatusOf(merged));
        Assert.Contains("\"PATH_INFO\": {\"repr\": \"'/environ'\"", merged);
        Assert.Contains("\"REQUEST_URI\": {\"repr\": \"'//environ?x=%41'\"", merged);
        Assert.Contains("\"QUERY_STRING\": {\"repr\": \"'x=%41'\"", merged);
    }

    [Fact]
    public async Task EncodedSlashAndBadEscapesAreRefusedAsApacheDoes()
    {
        Assert.Equal(404, RawHttp.StatusOf(await RawHttp.SendAsync(Host.Port, "GET /env%2Fron HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")));
        Assert.Equal(400, RawHttp.StatusOf(await RawHttp.SendAsync(Host.Port, "GET /environ%zz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")));
        Assert.Equal(400, RawHttp.StatusOf(await RawHttp.SendAsync(Host.Port, "GET /../../etc/passwd HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")));
    }

    [Fact]
    public async Task HeadersBecomeHttpKeysWithSpoofableAndProxyHeadersDropped()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/environ")
        {
            Content = new ByteArrayContent("body"u8.ToArray()),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "text/x-test");
        request.Headers.TryAddWithoutValidation("X-Custom-Thing", "one");
        request.Headers.TryAddWithoutValidation("X-Repeated", ["a", "b"]);
        request.Headers.TryAddWithoutValidation("X_Forwarded_For", "spoofed");
        request.Headers.TryAddWithoutValidation("X.Dotted", "dropped");
        request.Headers.TryAddWithoutValidation("Proxy", "http://evil");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", "dXNlcjpwYXNz");
        var env = await EnvironAsync(request);
        Assert.Equal("one", Str(env, "HTTP_X_CUSTOM_THING"));
        Assert.Equal("a, b", Str(env, "HTTP_X_REPEATED"));
        Assert.Equal("text/x-test", Str(env, "CONTENT_TYPE"));
        Assert.Equal("4", Str(env, "CONTENT_LENGTH"));
        Assert.False(env.ContainsKey("HTTP_CONTENT_TYPE"));
        Assert.False(env.ContainsKey("HTTP_CONTENT_LENGTH"));
        Assert.False(env.ContainsKey("HTTP_X_FORWARDED_FOR"), "an underscore header must not pose as X-Forwarded-For");
        Assert.DoesNotContain(env.Keys, k => k.Contains("DOTTED"));
        Assert.False(env.ContainsKey("HTTP_PROXY"), "httpoxy: Proxy must never reach the app");
        Assert.False(env.ContainsKey("HTTP_AUTHORIZATION"), "Authorization is passed only with --pass-authorization");
        Assert.Equal($"127.0.0.1:{Host.Port}", Str(env, "HTTP_HOST"));
    }

    [Fact]
    public async Task PortsAndStartTimeAreEachRequestsOwn()
    {
        // Several connections, two requests on each: the client's port changes between
        // connections and repeats within one, the start time changes every request, and the
        // listening port never does; each request must carry its own values.
        for (int c = 0; c < 6; c++)
        {
            using var client = new System.Net.Sockets.TcpClient();
            await client.ConnectAsync("127.0.0.1", Host.Port);
            int clientPort = ((System.Net.IPEndPoint)client.Client.LocalEndPoint!).Port;
            long before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
            using var stream = client.GetStream();
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(
                "GET /environ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /environ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
            string response = System.Text.Encoding.Latin1.GetString(await RawHttp.ReadToEndAsync(stream));
            long after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
            string[] remotePorts = Values(response, "REMOTE_PORT");
            Assert.Equal([clientPort.ToString(), clientPort.ToString()], remotePorts);
            Assert.Equal([Host.Port.ToString(), Host.Port.ToString()], Values(response, "mod_wsgi.listener_port"));
            string[] starts = Values(response, "mod_wsgi.request_start");
            Assert.Equal(2, starts.Length);
            Assert.All(starts, start => Assert.InRange(long.Parse(start), before - 1000, after + 1000));
            // Embedded: nothing is queued for a daemon group (DaemonModeTests has the daemon's).
            Assert.Empty(Values(response, "mod_wsgi.queue_start"));
        }

        static string[] Values(string response, string key) =>
            [.. System.Text.RegularExpressions.Regex.Matches(response, "\"" + System.Text.RegularExpressions.Regex.Escape(key) + "\": \\{\"repr\": \"'([^']*)'\"").Select(m => m.Groups[1].Value)];
    }

    [Fact]
    public async Task HostHeaderGivesServerNameAndPort()
    {
        string response = await RawHttp.SendAsync(Host.Port, "GET /environ HTTP/1.1\r\nHost: WWW.Example.COM.:8443\r\nConnection: close\r\n\r\n");
        Assert.Equal(200, RawHttp.StatusOf(response));
        Assert.Contains("\"SERVER_NAME\": {\"repr\": \"'www.example.com'\", \"type\": \"str\", \"value\": \"www.example.com\"}", response);
        Assert.Contains("\"SERVER_PORT\": {\"repr\": \"'8443'\"", response);
    }

    [Fact]
    public async Task AHostHeaderWithoutAPortGivesTheSchemesDefaultPortAsApacheDoes()
    {
        // UseCanonicalName Off: a proxy that sends "Host: example.com" to this port is port 80 to the app.
        string response = await RawHttp.SendAsync(Host.Port, "GET /environ HTTP/1.1\r\nHost: www.example.com\r\nConnection: close\r\n\r\n");
        Assert.Equal(200, RawHttp.StatusOf(response));
        Assert.Contains("\"SERVER_PORT\": {\"repr\": \"'80'\"", response);
        Assert.Contains($"\"mod_wsgi.listener_port\": {{\"repr\": \"'{Host.Port}'\"", response);
        // Without a Host header (HTTP/1.0): the port that took the connection.
        string bare = await RawHttp.SendAsync(Host.Port, "GET /environ HTTP/1.0\r\n\r\n");
        Assert.Contains($"\"SERVER_PORT\": {{\"repr\": \"'{Host.Port}'\"", bare);
    }

    [Fact]
    public async Task Latin1HeaderBytesReachTheAppAsLatin1()
    {
        byte[] request = [.. "GET /environ HTTP/1.1\r\nHost: a\r\nConnection: close\r\nX-Latin: caf"u8, 0xE9, .. "\r\n\r\n"u8];
        string response = System.Text.Encoding.Latin1.GetString(await RawHttp.SendBytesAsync(Host.Port, request));
        Assert.Equal(200, RawHttp.StatusOf(response));
        Assert.Contains("\"HTTP_X_LATIN\": {\"repr\": \"'caf\\u00e9'\"", response);
    }

    /// <summary>
    /// Requests in a row (one connection, so mostly one WSGI thread, which reuses the str of a
    /// key and value seen at the same place in the last environ) each see their own values:
    /// short and long ones, a header that comes and goes and shifts the keys after it, and a
    /// value of the same length as the last one but different.
    /// </summary>
    [Fact]
    public async Task RequestsInARowEachSeeTheirOwnValues()
    {
        string longQuery = "q=" + new string('x', 60);
        (string Query, string? Probe, string Agent)[] rounds =
        [
            ("a=1", "one", "agent-1"),
            (longQuery, null, "agent-1"),
            ("a=2", "two", "agent-2"),
            ("a=2", "two", "agent-2"),
            (longQuery + "y", "a-much-longer-probe-value-than-thirty-two-characters", "agent-1"),
            ("a=1", null, "agent-3"),
        ];
        foreach (var (query, probe, agent) in rounds)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/environ?" + query);
            request.Headers.TryAddWithoutValidation("User-Agent", agent);
            if (probe != null)
            {
                request.Headers.Add("X-Probe", probe);
            }
            var env = await EnvironAsync(request);
            Assert.Equal(query, Str(env, "QUERY_STRING"));
            Assert.Equal("/environ?" + query, Str(env, "REQUEST_URI"));
            Assert.Equal(agent, Str(env, "HTTP_USER_AGENT"));
            if (probe != null)
            {
                Assert.Equal(probe, Str(env, "HTTP_X_PROBE"));
            }
            else
            {
                Assert.False(env.ContainsKey("HTTP_X_PROBE"));
            }
            Assert.Equal("GET", Str(env, "REQUEST_METHOD"));
            Assert.Equal("/environ", Str(env, "PATH_INFO"));
        }
    }
}
