using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>`wsgihost check` and `wsgihost run` on configurations with mistakes.</summary>
public sealed class ConfigCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wsgihost-conf-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string text)
    {
        string path = Path.Combine(_dir, "site.conf");
        File.WriteAllText(path, text.Replace("GATEWAY", WsgiHostProcess.App("gateway.wsgi"), StringComparison.Ordinal));
        return path;
    }

    [Fact]
    public async Task CheckReportsEveryErrorWithFileLineDirectiveAndFixAndExitsOne()
    {
        string conf = Write("""
            Listen 127.0.0.1:8123
            WSGIDaemonProcess site threads=5
            WSGIDaemonProcess site processes=2
            WSGIScriptAlais / GATEWAY
            <VirtualHost *:8123>
                ServerName a.test
                Require all granted
                WSGIScriptAlias / GATEWAY process-group=stie
            </VirtualHost>
            """);
        var (code, output, error) = await WsgiHostProcess.RunToEndAsync("check", conf);
        Assert.Equal(1, code);
        Assert.Contains($"{conf}:3: error: WSGIDaemonProcess: a daemon process group named 'site' is already defined at {conf}:2", error);
        Assert.Contains($"{conf}:4: error: WSGIScriptAlais: Invalid command 'WSGIScriptAlais'", error);
        Assert.Contains("did you mean WSGIScriptAlias?", error);
        Assert.Contains($"{conf}:7: error: Require: not allowed directly in <VirtualHost>", error);
        Assert.Contains($"{conf}:8: error: WSGIScriptAlias: no WSGIDaemonProcess defines the group 'stie' (fix: did you mean 'site'?)", error);
        Assert.Contains("4 error(s)", output);
    }

    [Fact]
    public async Task CheckWarnsAboutLikelyMistakesAndExitsZero()
    {
        string conf = Write("""
            Listen 127.0.0.1:8123
            WSGIDaemonProcess unused
            WSGIScriptAlias / GATEWAY
            WSGIScriptAlias /sub GATEWAY
            """);
        var (code, output, error) = await WsgiHostProcess.RunToEndAsync("check", conf);
        Assert.Equal(0, code);
        Assert.Contains($"{conf}:4: warning: WSGIScriptAlias: '/sub' is never reached: the WSGIScriptAlias '/' at {conf}:3", error);
        Assert.Contains($"{conf}:2: warning: WSGIDaemonProcess: nothing delegates to the daemon group 'unused'", error);
        Assert.Contains("0 error(s), 2 warning(s)", output);
    }

    [Fact]
    public async Task RunRefusesAConfigWithErrorsAndSaysWhere()
    {
        string conf = Write("""
            Listen 127.0.0.1:8123
            WSGIScriptAlias / GATEWAY process-group=nowhere
            """);
        var (code, _, error) = await WsgiHostProcess.RunToEndAsync("run", conf);
        Assert.Equal(1, code);
        Assert.Contains($"{conf}:2: error: WSGIScriptAlias: no WSGIDaemonProcess defines the group 'nowhere'", error);
        Assert.Contains("not started", error);
    }

    [Fact]
    public async Task RunStopsGracefullyOnSigtermLettingARunningRequestFinish()
    {
        int port = WsgiHostProcess.FreePort();
        string conf = Write($"""
            Listen 127.0.0.1:{port}
            WSGIApplicationGroup %{"{"}GLOBAL{"}"}
            WSGIScriptAlias / GATEWAY
            """);
        await using var host = await WsgiHostProcess.RunAsync(conf, port, new Dictionary<string, string>());
        Task<string> slow = host.Client.GetStringAsync("/sleep?1.5");
        await Task.Delay(500);
        Task<int> stopped = host.StopAsync();
        Assert.StartsWith("slept", await slow);
        Assert.Equal(0, await stopped);
    }

    [Fact]
    public async Task SighupAppliesANewConfigurationUnderLoadAndKeepsTheOldOneWhenTheNewOneIsBroken()
    {
        int port = WsgiHostProcess.FreePort();
        string Config(string extra) => $"Listen 127.0.0.1:{port}\nLogLevel notice\nWSGIApplicationGroup %{{GLOBAL}}\nWSGIScriptAlias /one GATEWAY\n{extra}";
        string conf = Write(Config(""));
        await using var host = await WsgiHostProcess.RunAsync(conf, port, new Dictionary<string, string>());
        using (var before = await host.Client.GetAsync("/two/environ"))
        {
            Assert.Equal(System.Net.HttpStatusCode.NotFound, before.StatusCode);
        }

        // Requests keep flowing while the configuration is swapped: none may fail.
        using var stopLoad = new CancellationTokenSource();
        var failures = new List<string>();
        int served = 0;
        Task load = Task.Run(async () =>
        {
            while (!stopLoad.IsCancellationRequested)
            {
                using var r = await host.Client.GetAsync("/one/environ");
                if (r.StatusCode != System.Net.HttpStatusCode.OK)
                {
                    lock (failures) { failures.Add(((int)r.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)); }
                }
                Interlocked.Increment(ref served);
            }
        });
        Write(Config("WSGIScriptAlias /two GATEWAY\nSetEnv RELOADED yes"));
        host.SendSignal(1);
        await host.WaitForLogAsync("SIGHUP: configuration reloaded");
        using (var after = await host.Client.GetAsync("/two/environ"))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, after.StatusCode);
            Assert.Contains("\"RELOADED\"", await after.Content.ReadAsStringAsync());
        }

        // A broken configuration is reported and the running one stays.
        Write(Config("WSGIScriptAlias /three GATEWAY\nNoSuchDirective on"));
        host.SendSignal(1);
        await host.WaitForLogAsync("was not reloaded; the previous configuration keeps serving");
        Assert.Contains("Invalid command 'NoSuchDirective'", host.ErrorLog);
        using (var still = await host.Client.GetAsync("/two/environ"))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, still.StatusCode);
        }
        stopLoad.Cancel();
        await load;
        Assert.Empty(failures);
        Assert.True(served > 0);
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task SighupReloadsAServerStartedUnderNohup()
    {
        // nohup starts the server with SIGHUP ignored; .NET alone would never call the handler.
        int port = WsgiHostProcess.FreePort();
        string Config(string more) => $"Listen 127.0.0.1:{port}\nLogLevel info\nWSGIScriptAlias /one GATEWAY\n{more}\n";
        string conf = Write(Config(""));
        await using var host = await WsgiHostProcess.RunThroughAsync("nohup", conf, port);
        await host.WaitForLogAsync("SIGHUP was inherited as ignored");
        Write(Config("WSGIScriptAlias /two GATEWAY"));
        host.SendSignal(1);
        await host.WaitForLogAsync("SIGHUP: configuration reloaded");
        using var after = await host.Client.GetAsync("/two/environ");
        Assert.Equal(System.Net.HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task SighupRollsAChangedDaemonGroupWithoutAFailedRequest()
    {
        int port = WsgiHostProcess.FreePort();
        string Config(int threads) => $"Listen 127.0.0.1:{port}\nLogLevel notice\nWSGIDaemonProcess rolled threads={threads}\nWSGIProcessGroup rolled\nWSGIApplicationGroup %{{GLOBAL}}\nWSGIScriptAlias / GATEWAY\n"
            + "<Location /metrics>\n    SetHandler wsgihost-metrics\n</Location>\n";
        string conf = Write(Config(2));
        await using var host = await WsgiHostProcess.RunAsync(conf, port, new Dictionary<string, string>());
        string before = await host.Client.GetStringAsync("/pid");

        using var stopLoad = new CancellationTokenSource();
        var statuses = new System.Collections.Concurrent.ConcurrentBag<System.Net.HttpStatusCode>();
        Task load = Task.Run(async () =>
        {
            while (!stopLoad.IsCancellationRequested)
            {
                using var r = await host.Client.GetAsync("/pid");
                statuses.Add(r.StatusCode);
            }
        });
        Write(Config(3));
        host.SendSignal(1);
        await host.WaitForLogAsync("daemon process group(s) rolled get fresh workers");
        string after = before;
        for (int i = 0; i < 100 && after == before; i++)
        {
            after = await host.Client.GetStringAsync("/pid");
        }
        stopLoad.Cancel();
        await load;
        Assert.NotEqual(before, after);
        Assert.All(statuses, s => Assert.Equal(System.Net.HttpStatusCode.OK, s));
        // The group's one worker was replaced by the reload, and the group now has 3 threads.
        string metrics = await host.Client.GetStringAsync("/metrics");
        Assert.Contains("wsgihost_daemon_worker_restarts_total{process_group=\"rolled\",reason=\"reload\"} 1\n", metrics);
        Assert.Contains("wsgihost_daemon_worker_restarts_total{process_group=\"rolled\",reason=\"signal\"} 0\n", metrics);
        Assert.Contains("wsgihost_wsgi_threads{process_group=\"rolled\"} 3\n", metrics);
        Assert.Equal(0, await host.StopAsync());
    }

    /// <summary>
    /// SIGHUP with the configuration unchanged still gives the group fresh workers, as Apache's
    /// graceful restart restarts mod_wsgi's daemons: a deploy's reload serves the new code.
    /// </summary>
    [Fact]
    public async Task SighupLoadsTheApplicationsNewCodeInFreshWorkers()
    {
        int port = WsgiHostProcess.FreePort();
        string app = Path.Combine(_dir, "version.wsgi");
        // Not a script change the worker would notice itself (WSGIScriptReloading Off): a module it imports.
        File.WriteAllText(Path.Combine(_dir, "release.py"), "NAME = 'v1'\n");
        File.WriteAllText(app, "import release\n\ndef application(environ, start_response):\n    start_response('200 OK', [('Content-Type', 'text/plain')])\n    return [release.NAME.encode()]\n");
        string conf = Write($"Listen 127.0.0.1:{port}\nLogLevel info\nWSGIScriptReloading Off\nWSGIDaemonProcess site threads=2 python-path={_dir}\nWSGIProcessGroup site\nWSGIScriptAlias / {app}\n");
        await using var host = await WsgiHostProcess.RunAsync(conf, port, new Dictionary<string, string>());
        Assert.Equal("v1", await host.Client.GetStringAsync("/"));

        File.WriteAllText(Path.Combine(_dir, "release.py"), "NAME = 'v2'\n");
        host.SendSignal(1);
        await host.WaitForLogAsync("daemon process group(s) site get fresh workers");
        string served = "v1";
        for (int i = 0; i < 200 && served == "v1"; i++)
        {
            using var response = await host.Client.GetAsync("/");
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            served = await response.Content.ReadAsStringAsync();
        }
        Assert.Equal("v2", served);
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task TlsRequestsCarryTheSslVariablesWithStdEnvVarsAndSslRequireSslRefusesPlainHttp()
    {
        int http = WsgiHostProcess.FreePort();
        int https = WsgiHostProcess.FreePort();
        var (cert, key) = TestCertificate.Write(_dir, "tls", "tls.example.test");
        string conf = Write($"""
            Listen 127.0.0.1:{http}
            Listen 127.0.0.1:{https}
            WSGIApplicationGroup %{"{"}GLOBAL{"}"}
            <VirtualHost *:{http}>
                ServerName tls.example.test
                WSGIScriptAlias / GATEWAY
                <Location /secure>
                    SSLRequireSSL
                </Location>
            </VirtualHost>
            <VirtualHost *:{https}>
                ServerName tls.example.test
                SSLEngine on
                SSLCertificateFile {cert}
                SSLCertificateKeyFile {key}
                SSLOptions +StdEnvVars
                WSGIScriptAlias / GATEWAY
            </VirtualHost>
            """);
        await using var host = await WsgiHostProcess.RunAsync(conf, http, new Dictionary<string, string>());
        using var tls = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                await socket.ConnectAsync(System.Net.IPAddress.Loopback, https, token);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = new System.Net.Security.SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, c, _, _) => c?.Subject == "CN=tls.example.test" },
        });
        var environ = System.Text.Json.JsonDocument.Parse(await tls.GetStringAsync($"https://tls.example.test:{https}/environ")).RootElement;
        string Value(string name) => environ.GetProperty(name).GetProperty("value").GetString()!;
        Assert.Equal("https", Value("wsgi.url_scheme"));
        Assert.Matches("^TLSv1\\.[23]$", Value("SSL_PROTOCOL"));
        Assert.StartsWith("TLS_", Value("SSL_CIPHER"));
        Assert.Equal("tls.example.test", Value("SSL_TLS_SNI"));
        // SSLRequireSSL: 403 over plain HTTP.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/secure/x");
        request.Headers.Host = "tls.example.test";
        using var plain = await host.Client.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, plain.StatusCode);
        Assert.Equal(0, await host.StopAsync());
    }

    [Theory]
    [InlineData(10, "SIGUSR1")]
    [InlineData(1, "SIGHUP")]
    public async Task SigusrOneOrAHangupReopensTheLogFilesAfterARotation(int signal, string name)
    {
        int port = WsgiHostProcess.FreePort();
        string access = Path.Combine(_dir, "access.log");
        string errors = Path.Combine(_dir, "error.log");
        string conf = Write($"Listen 127.0.0.1:{port}\nLogLevel notice\nErrorLog {errors}\nCustomLog {access} common\nWSGIApplicationGroup %{{GLOBAL}}\nWSGIScriptAlias / GATEWAY\n");
        await using var host = await WsgiHostProcess.RunAsync(conf, port, new Dictionary<string, string>());
        Assert.Equal("written then returned", await host.Client.GetStringAsync("/write?before"));
        await WaitForFileAsync(access, "/write?before");

        // logrotate: rename, then signal.
        File.Move(access, access + ".1");
        File.Move(errors, errors + ".1");
        host.SendSignal(signal);
        await WaitForFileAsync(errors, $"{name}: reopened");
        Assert.Equal("written then returned", await host.Client.GetStringAsync("/write?after"));
        await WaitForFileAsync(access, "/write?after");
        Assert.DoesNotContain("/write?before", File.ReadAllText(access));
        Assert.Contains("/write?before", File.ReadAllText(access + ".1"));
        Assert.Equal(0, await host.StopAsync());
    }

    /// <summary>%I and %O count the request's and response's head lines too, as Apache's do (Debian's combined and vhost_combined use %O); %b is the body alone.</summary>
    [Fact]
    public async Task BytesInAndOutCountTheHeadersToo()
    {
        int port = WsgiHostProcess.FreePort();
        string access = Path.Combine(_dir, "bytes.log");
        string conf = Write($"Listen 127.0.0.1:{port}\nLogFormat \"%r|%b|%I|%O\" bytes\nCustomLog {access} bytes\nWSGIApplicationGroup %{{GLOBAL}}\nWSGIScriptAlias / GATEWAY\n");
        await using var host = await WsgiHostProcess.RunAsync(conf, port, new Dictionary<string, string>());
        string raw = await RawHttp.SendAsync(port, "GET /pid HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        await WaitForFileAsync(access, "GET /pid HTTP/1.1|");
        string[] fields = File.ReadAllText(access).Trim().Split('|');
        int body = raw.Length - raw.IndexOf("\r\n\r\n", StringComparison.Ordinal) - 4;
        Assert.Equal(body.ToString(System.Globalization.CultureInfo.InvariantCulture), fields[1]);
        Assert.Equal("GET /pid HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n".Length.ToString(System.Globalization.CultureInfo.InvariantCulture), fields[2]);
        // What went out: the status line, the headers and the body, as on the wire.
        Assert.Equal(raw.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), fields[3]);
        Assert.Equal(0, await host.StopAsync());
    }

    /// <summary>KeepAlive Off and MaxKeepAliveRequests close the connection as Apache does; %k counts its requests, %X says whether it stays.</summary>
    [Theory]
    [InlineData("MaxKeepAliveRequests 2", 3)]
    [InlineData("KeepAlive Off", 1)]
    public async Task KeepAliveLimitsCloseTheConnectionAndTheLogSaysSo(string directive, int answered)
    {
        int port = WsgiHostProcess.FreePort();
        string access = Path.Combine(_dir, "keepalive.log");
        string conf = Write($"Listen 127.0.0.1:{port}\n{directive}\nLogFormat \"%k %X %U %q\" conn\nCustomLog {access} conn\nWSGIApplicationGroup %{{GLOBAL}}\nWSGIScriptAlias / GATEWAY\n");
        await using var host = await WsgiHostProcess.RunAsync(conf, port, new Dictionary<string, string>());
        // Four requests pipelined on one connection: the server answers until the limit, then closes.
        string raw = await RawHttp.SendAsync(port, string.Concat(Enumerable.Range(0, 4).Select(i => $"GET /pid?n={i} HTTP/1.1\r\nHost: a\r\n\r\n")));
        Assert.Equal(answered, raw.Split("HTTP/1.1 200 OK").Length - 1);
        Assert.EndsWith("Connection: close", raw[..raw.LastIndexOf("\r\n\r\n", StringComparison.Ordinal)].Split("\r\n").Where(l => l.StartsWith("Connection:", StringComparison.Ordinal)).Last(), StringComparison.Ordinal);
        await WaitForFileAsync(access, $"/pid ?n={answered - 1}");
        string[] expected = [.. Enumerable.Range(0, answered).Select(i => $"{i} {(i == answered - 1 ? '-' : '+')} /pid ?n={i}")];
        Assert.Equal(expected, File.ReadAllLines(access));
        Assert.Equal(0, await host.StopAsync());
    }

    private static async Task WaitForFileAsync(string path, string text)
    {
        for (int i = 0; i < 200; i++)
        {
            if (File.Exists(path) && File.ReadAllText(path).Contains(text, StringComparison.Ordinal))
            {
                return;
            }
            await Task.Delay(50);
        }
        Assert.Fail($"{path} never contained '{text}'");
    }

    [Theory]
    [InlineData("daemon")]
    [InlineData("embedded")]
    public async Task AnAppsOutputGoesToItsVirtualHostsErrorLogNamingTheClient(string mode)
    {
        // As in mod_wsgi: the app's output, wsgi.errors and the workers' own lines go to the
        // ErrorLog of the virtual host (that declared the group), file or pipe, not the main
        // one, each line naming the request's client.
        string Group(string name) => mode == "daemon" ? $"WSGIDaemonProcess {name} threads=2\n    WSGIProcessGroup {name}" : "";
        int port = WsgiHostProcess.FreePort();
        string main = Path.Combine(_dir, "main-error.log");
        string fileHost = Path.Combine(_dir, "a-error.log");
        string pipedHost = Path.Combine(_dir, "b-error.log");
        string conf = Write($$"""
            Listen 127.0.0.1:{{port}}
            LogLevel info
            ErrorLog {{main}}
            WSGIApplicationGroup %{GLOBAL}
            <VirtualHost *:{{port}}>
                ServerName a.test
                ErrorLog {{fileHost}}
                {{Group("a")}}
                WSGIScriptAlias / GATEWAY
            </VirtualHost>
            <VirtualHost *:{{port}}>
                ServerName b.test
                ErrorLog "|/bin/cat >> {{pipedHost}}"
                {{Group("b")}}
                WSGIScriptAlias / GATEWAY
            </VirtualHost>
            """);
        await using var host = await WsgiHostProcess.RunAsync(conf, port, new Dictionary<string, string>());
        foreach (var (name, log) in new[] { ("a.test", fileHost), ("b.test", pipedHost) })
        {
            string tag = Guid.NewGuid().ToString("N");
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/print?{tag}");
            request.Headers.Host = name;
            using var response = await host.Client.SendAsync(request);
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            await WaitForFileAsync(log, $"printed line two {tag}");
            await WaitForFileAsync(log, $"stderr line {tag}");
            await WaitForFileAsync(log, $"errors line b {tag}");
            Assert.All(File.ReadAllLines(log).Where(l => l.Contains(tag, StringComparison.Ordinal)),
                line => Assert.Matches(@"\] \[client 127\.0\.0\.1:\d+\] (printed|stderr|errors|buffer|partial) line", line));
            Assert.DoesNotContain(tag, File.ReadAllText(main));
        }
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task TraceEnableOffAnswersTrace405InTheHostThatSaysSo()
    {
        int port = WsgiHostProcess.FreePort();
        string conf = Write($$"""
            Listen 127.0.0.1:{{port}}
            WSGIApplicationGroup %{GLOBAL}
            <VirtualHost *:{{port}}>
                ServerName open.test
                WSGIScriptAlias / GATEWAY
            </VirtualHost>
            <VirtualHost *:{{port}}>
                ServerName closed.test
                TraceEnable off
                WSGIScriptAlias / GATEWAY
            </VirtualHost>
            """);
        await using var host = await WsgiHostProcess.RunAsync(conf, port, new Dictionary<string, string>());
        string closed = await RawHttp.SendAsync(port, "TRACE /write HTTP/1.1\r\nHost: closed.test\r\nConnection: close\r\n\r\n");
        Assert.Equal(405, RawHttp.StatusOf(closed));
        Assert.Contains("Allow: GET,HEAD,POST,OPTIONS\r\n", closed, StringComparison.Ordinal);
        string open = await RawHttp.SendAsync(port, "TRACE /write HTTP/1.1\r\nHost: open.test\r\nConnection: close\r\n\r\n");
        Assert.Equal(200, RawHttp.StatusOf(open));
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task AVirtualHostsLogLevelIsItsOwn()
    {
        // Apache's LogLevel in a <VirtualHost> quiets that host only; it had silenced every host.
        int port = WsgiHostProcess.FreePort();
        string main = Path.Combine(_dir, "levels-main.log");
        string conf = Write($$"""
            Listen 127.0.0.1:{{port}}
            ErrorLog {{main}}
            WSGIApplicationGroup %{GLOBAL}
            <VirtualHost *:{{port}}>
                ServerName quiet.test
                LogLevel crit
                WSGIScriptAlias / GATEWAY
            </VirtualHost>
            <VirtualHost *:{{port}}>
                ServerName loud.test
                WSGIScriptAlias / GATEWAY
            </VirtualHost>
            """);
        await using var host = await WsgiHostProcess.RunAsync(conf, port, new Dictionary<string, string>());
        foreach (string name in new[] { "quiet.test", "loud.test" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/raise?before");
            request.Headers.Host = name;
            using var response = await host.Client.SendAsync(request);
            Assert.Equal(System.Net.HttpStatusCode.InternalServerError, response.StatusCode);
        }
        await WaitForFileAsync(main, "ZeroDivisionError: raised before start_response");
        // One traceback: loud.test's. quiet.test's error was under its crit.
        Assert.Single(File.ReadAllLines(main), l => l.Contains("ZeroDivisionError: raised before start_response", StringComparison.Ordinal));
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task PipedLogsFeedAProgramAndDaemonWorkersLogThroughTheServer()
    {
        int port = WsgiHostProcess.FreePort();
        string access = Path.Combine(_dir, "piped-access.log");
        string errors = Path.Combine(_dir, "piped-error.log");
        string conf = Write($"Listen 127.0.0.1:{port}\nLogLevel info\nErrorLog \"|/bin/cat >> {errors}\"\nCustomLog \"|$/bin/cat >> {access}\" common\n" +
            "WSGIDaemonProcess piped threads=2\nWSGIProcessGroup piped\nWSGIApplicationGroup %{GLOBAL}\nWSGIScriptAlias / GATEWAY\n");
        await using var host = await WsgiHostProcess.RunAsync(conf, port, new Dictionary<string, string>());
        Assert.Equal("written then returned", await host.Client.GetStringAsync("/write?piped"));
        await WaitForFileAsync(access, "\"GET /write?piped HTTP/1.1\" 200");
        await WaitForFileAsync(errors, "Daemon process group 'piped' worker started");
        Assert.Equal(0, await host.StopAsync());
    }
}
