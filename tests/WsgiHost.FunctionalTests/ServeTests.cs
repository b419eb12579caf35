using System.Diagnostics;
using System.Globalization;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>The `wsgihost serve` command line and what it turns on.</summary>
public sealed class ServeTests
{
    [Fact]
    public async Task StartupPrintsTheUrlThePythonAndTheMode()
    {
        await using var host = await WsgiHostProcess.StartAsync(WsgiHostProcess.App("versions.wsgi"));
        Assert.Contains($"WsgiHost serving {WsgiHostProcess.App("versions.wsgi")} at http://127.0.0.1:{host.Port}", host.Output);
        Assert.Contains("python: Python 3.11.", host.Output);
        Assert.Contains("/usr/bin/python3", host.Output);
        Assert.Contains("mode:   embedded, 5 WSGI thread(s)", host.Output);
        await host.WaitForLogAsync("[wsgi:notice]");
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task APortInUseIsOneLineWithTheFixAndNoStack()
    {
        await using var first = await WsgiHostProcess.StartAsync(WsgiHostProcess.App("versions.wsgi"));
        var (code, _, error) = await WsgiHostProcess.RunToEndAsync("serve", WsgiHostProcess.App("versions.wsgi"), "--embedded",
            "--port", first.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--python", "/usr/bin/python3");
        Assert.Equal(1, code);
        Assert.Contains($"wsgihost: cannot start: Failed to bind to address http://127.0.0.1:{first.Port}: address already in use. Another server listens on 127.0.0.1:{first.Port}: stop it", error);
        Assert.DoesNotContain("   at ", error);   // no stack trace above the line that matters
        Assert.Equal(0, await first.StopAsync());
    }

    /// <summary>As mod_wsgi-express: daemon mode by default, one worker process with 5 threads, the main interpreter.</summary>
    [Fact]
    public async Task ByDefaultTheAppRunsInOneDaemonWorkerProcess()
    {
        await using var host = await WsgiHostProcess.StartDaemonAsync(WsgiHostProcess.App("gateway.wsgi"));
        Assert.Contains("mode:   daemon, 1 process(es) x 5 thread(s) (pids ", host.Output);
        // The startup lines name the workers' Python; the server process itself never loads it.
        Assert.Contains("python: Python 3.11.", host.Output);
        Assert.Contains("in the daemon workers, not loaded in the server process", host.Output);
        Assert.DoesNotContain("libpython", File.ReadAllText($"/proc/{host.Pid}/maps"), StringComparison.Ordinal);
        using var pid = await host.Client.GetAsync("/pid");
        int worker = int.Parse(await pid.Content.ReadAsStringAsync(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.NotEqual(host.Pid, worker);
        Assert.Contains($"(pids {worker})", host.Output);

        using var environ = await host.Client.GetAsync("/environ");
        using var json = System.Text.Json.JsonDocument.Parse(await environ.Content.ReadAsStringAsync());
        string Repr(string key) => json.RootElement.GetProperty(key).GetProperty("repr").GetString()!;
        Assert.Equal("'wsgihost-serve'", Repr("mod_wsgi.process_group"));
        Assert.Equal("''", Repr("mod_wsgi.application_group"));
        Assert.Equal("True", Repr("wsgi.multiprocess"));
        Assert.Equal("True", Repr("wsgi.multithread"));
        Assert.Equal(0, await host.StopAsync());
    }

    /// <summary>As mod_wsgi-express --user/--group: the worker process runs as them, and the server too once its port is bound.</summary>
    [RootFact]
    public async Task UserAndGroupSwitchTheWorkerProcess()
    {
        await using var host = await WsgiHostProcess.StartDaemonAsync(WsgiHostProcess.App("gateway.wsgi"), "--user", "nobody", "--group", "www-data");
        int worker = await host.AppPidAsync();

        string status = File.ReadAllText($"/proc/{worker}/status");
        Assert.Matches(@"Uid:\s+65534\s+65534\s+65534\s+65534", status);
        Assert.Matches(@"Gid:\s+33\s+33\s+33\s+33", status);
        Assert.Matches(@"Uid:\s+65534\s+65534\s+65534\s+65534", File.ReadAllText($"/proc/{host.Pid}/status"));
        Assert.Matches(@"Gid:\s+33\s+33\s+33\s+33", File.ReadAllText($"/proc/{host.Pid}/status"));
        Assert.Equal(0, await host.StopAsync());
    }

    /// <summary>
    /// With the app in the server process (--embedded, --server-processes), --user and --group are
    /// the server's own identity once its port is bound, as Apache's User for its children: the app
    /// runs as them (QA: both were refused, against what the options table says).
    /// </summary>
    [RootTheory]
    [InlineData("--embedded")]
    [InlineData("--server-processes")]
    public async Task UserAndGroupAreTheServersOwnWhenTheAppRunsInIt(string mode)
    {
        string[] args = mode == "--server-processes" ? [mode, "1", "--user", "nobody", "--group", "www-data"] : [mode, "--user", "nobody", "--group", "www-data"];
        await using var host = await WsgiHostProcess.StartAsync(WsgiHostProcess.App("gateway.wsgi"), args);
        int app = await host.AppPidAsync();
        string status = File.ReadAllText($"/proc/{app}/status");
        Assert.Matches(@"Uid:\s+65534\s+65534\s+65534\s+65534", status);
        Assert.Matches(@"Gid:\s+33\s+33\s+33\s+33", status);
        Assert.Equal(0, await host.StopAsync());
    }

    /// <summary>--reload-on-changes: editing a module the app imported restarts the worker, and the next requests run the new code.</summary>
    [Fact]
    public async Task ReloadOnChangesRestartsTheWorkerWhenAnImportedModuleChanges()
    {
        string dir = Directory.CreateTempSubdirectory("wsgihost-reload-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "helper.py"), "VALUE = 'one'\n");
            File.WriteAllText(Path.Combine(dir, "app.wsgi"), """
                import os
                import sys
                sys.dont_write_bytecode = False  # helper's .pyc is written even under PYTHONDONTWRITEBYTECODE
                import helper

                def application(environ, start_response):
                    start_response('200 OK', [('Content-Type', 'text/plain')])
                    return [('%s %d' % (helper.VALUE, os.getpid())).encode()]
                """);
            await using var host = await WsgiHostProcess.StartDaemonAsync(Path.Combine(dir, "app.wsgi"), "--reload-on-changes");
            string[] first = (await host.Client.GetStringAsync("/")).Split(' ');
            Assert.Equal("one", first[0]);

            // The same size and the same whole second as the first version (an edit soon after
            // it): Python would trust the first version's .pyc (it checks the mtime in whole
            // seconds and the size), so the monitor must remove it. The monitor has seen the first
            // version by now (it looks once a second).
            string helper = Path.Combine(dir, "helper.py");
            DateTime firstVersion = File.GetLastWriteTimeUtc(helper);
            await Task.Delay(1500);
            File.WriteAllText(helper, "VALUE = 'two'\n");
            File.SetLastWriteTimeUtc(helper, firstVersion.AddTicks(1));
            await host.WaitForLogAsync("helper.py changed (--reload-on-changes); restarting.", timeoutMs: 30_000);
            string[] next = ["", ""];
            var watch = Stopwatch.StartNew();
            while (next[0] != "two" && watch.Elapsed < TimeSpan.FromSeconds(30))
            {
                using var response = await host.Client.GetAsync("/");
                if (response.IsSuccessStatusCode)
                {
                    next = (await response.Content.ReadAsStringAsync()).Split(' ');
                }
                await Task.Delay(100);
            }
            Assert.Equal("two", next[0]);
            Assert.NotEqual(first[1], next[1]);
            Assert.Equal(0, await host.StopAsync());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task EmbeddedRunsTheAppInTheServerProcess()
    {
        await using var host = await WsgiHostProcess.StartAsync(WsgiHostProcess.App("gateway.wsgi"), "--embedded", "--threads", "1");
        Assert.Contains("mode:   embedded, 1 WSGI thread(s)", host.Output);
        using var pid = await host.Client.GetAsync("/pid");
        Assert.Equal(host.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), await pid.Content.ReadAsStringAsync());
        using var environ = await host.Client.GetAsync("/environ");
        using var json = System.Text.Json.JsonDocument.Parse(await environ.Content.ReadAsStringAsync());
        Assert.Equal("False", json.RootElement.GetProperty("wsgi.multiprocess").GetProperty("repr").GetString());
        Assert.Equal("False", json.RootElement.GetProperty("wsgi.multithread").GetProperty("repr").GetString());
    }

    [Fact]
    public async Task VersionPrintsThePythonItWouldLoad()
    {
        var (code, output) = await RunCliAsync("version", "--python", Pythons.Debian);
        Assert.Equal(0, code);
        Assert.Matches(@"wsgihost \d+\.\d+\.\d+", output);
        Assert.Contains(WsgiHostProcess.NativeCli != null ? "build: native; wsgihost-supervisor and wsgihost-worker beside it" : "build: assembly (JIT)", output);
        Assert.Contains("python: Python 3.11.", output);
        Assert.Contains("libpython3.11.so", output);
    }

    [Theory]
    [InlineData(new[] { "serve" }, "the WSGI script to serve is missing")]
    [InlineData(new[] { "serve", "/nonexistent/app.wsgi" }, "does not exist")]
    [InlineData(new[] { "serve", "x.wsgi", "--threads", "zero" }, "--threads must be a whole number")]
    [InlineData(new[] { "serve", "x.wsgi", "--bogus" }, "unknown option '--bogus'")]
    [InlineData(new[] { "serve", "x.wsgi", "--embedded", "--reload-on-changes" }, "--reload-on-changes restarts the daemon worker when code changes; it cannot be given with --embedded")]
    [InlineData(new[] { "serve", "x.wsgi", "--embedded", "--processes", "2" }, "--embedded runs the app in the server process; it cannot be given with --processes")]
    [InlineData(new[] { "serve", "x.wsgi", "--server-processes", "2", "--processes", "2" }, "--server-processes runs the app embedded in each server process; it cannot be given with --processes")]
    [InlineData(new[] { "frobnicate" }, "unknown command 'frobnicate'")]
    public async Task BadCommandLinesExitWith2AndSayWhy(string[] args, string message)
    {
        var (code, output) = await RunCliAsync(args);
        Assert.Equal(2, code);
        Assert.Contains(message, output);
    }

    [Fact]
    public async Task AnUnusablePythonFailsToStartWithAClearMessage()
    {
        var (code, output) = await RunCliAsync("serve", WsgiHostProcess.App("versions.wsgi"), "--python", "/nonexistent/python3");
        Assert.Equal(1, code);
        Assert.Contains("Python executable '/nonexistent/python3' does not exist", output);
    }

    [Fact]
    public async Task UrlAliasServesStaticFilesBeforeTheApp()
    {
        string dir = Directory.CreateTempSubdirectory("wsgihost-static-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "style.css"), "body { color: red }");
            string single = Path.Combine(dir, "robots.txt");
            File.WriteAllText(single, "User-agent: *");
            await using var host = await WsgiHostProcess.StartAsync(WsgiHostProcess.App("gateway.wsgi"),
                "--url-alias", "/static", dir, "--url-alias", "/robots.txt", single);
            using var css = await host.Client.GetAsync("/static/style.css");
            Assert.Equal(200, (int)css.StatusCode);
            Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
            Assert.Equal("body { color: red }", await css.Content.ReadAsStringAsync());
            Assert.Equal("User-agent: *", await host.Client.GetStringAsync("/robots.txt"));
            using var missing = await host.Client.GetAsync("/static/missing.css");
            Assert.Equal(404, (int)missing.StatusCode);
            using var escape = await host.Client.GetAsync("/static/..%2F..%2Fetc/passwd");
            Assert.Equal(404, (int)escape.StatusCode);
            using var app = await host.Client.GetAsync("/write");
            Assert.Equal("written then returned", await app.Content.ReadAsStringAsync());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task ChunkedRequestBodiesAre411UnlessEnabled()
    {
        await using var host = await WsgiHostProcess.StartAsync(WsgiHostProcess.App("gateway.wsgi"));
        var request = new HttpRequestMessage(HttpMethod.Post, "/echo") { Content = new StreamContent(new MemoryStream(new byte[10])) };
        request.Headers.TransferEncodingChunked = true;
        using var response = await host.Client.SendAsync(request);
        Assert.Equal(411, (int)response.StatusCode);
        await host.WaitForLogAsync("WSGIChunkedRequest");
    }

    [Fact]
    public async Task AuthorizationIsPassedOnlyWhenEnabled()
    {
        await using var host = await WsgiHostProcess.StartAsync(WsgiHostProcess.App("gateway.wsgi"), "--pass-authorization");
        var request = new HttpRequestMessage(HttpMethod.Get, "/environ");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer token-123");
        using var response = await host.Client.SendAsync(request);
        Assert.Contains("\"value\": \"Bearer token-123\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task LimitRequestBodyRejectsLargerBodiesWith413()
    {
        await using var host = await WsgiHostProcess.StartAsync(WsgiHostProcess.App("gateway.wsgi"), "--limit-request-body", "1000");
        using var small = await host.Client.PostAsync("/echo", new ByteArrayContent(new byte[1000]));
        Assert.Equal(200, (int)small.StatusCode);
        using var large = await host.Client.PostAsync("/echo", new ByteArrayContent(new byte[1001]));
        Assert.Equal(413, (int)large.StatusCode);
    }

    [Fact]
    public async Task ABlockingAppOccupiesOnlyItsOwnThread()
    {
        await using var host = await WsgiHostProcess.StartAsync(WsgiHostProcess.App("gateway.wsgi"), "--threads", "4");
        var sw = Stopwatch.StartNew();
        var sleepers = Enumerable.Range(0, 3).Select(_ => host.Client.GetStringAsync("/sleep?1.5")).ToArray();
        await Task.Delay(200);
        Assert.Equal("written then returned", await host.Client.GetStringAsync("/write"));
        Assert.True(sw.ElapsedMilliseconds < 1400, $"a quick request waited {sw.ElapsedMilliseconds} ms behind sleeping ones");
        string[] names = await Task.WhenAll(sleepers);
        Assert.Equal(3, names.Distinct().Count());
        Assert.All(names, n => Assert.StartsWith("slept ", n));
    }

    [Fact]
    public async Task ARequestQueuedBehindABlockedThreadIsTakenByAnother()
    {
        // The app is loaded and its thread is blocked in sleep (the GIL released, the thread
        // still counted as working): a request that comes now queues behind it, and only the
        // stall watch (in a daemon worker, the readiness loop's looks) hands it to an idle thread.
        // Without that watch it would wait the whole sleep. Embedded mode has its watchdog
        // thread (ABlockingAppOccupiesOnlyItsOwnThread).
        await using var host = await WsgiHostProcess.StartDaemonAsync(WsgiHostProcess.App("gateway.wsgi"), "--threads", "4");
        Assert.Equal("written then returned", await host.Client.GetStringAsync("/write"));
        string tag = Guid.NewGuid().ToString("N");
        Task<string> sleeper = host.Client.GetStringAsync($"/announced-sleep?20&{tag}");
        await host.WaitForLogAsync("sleeping " + tag);
        for (int i = 0; i < 3; i++)
        {
            Task<string> quick = host.Client.GetStringAsync("/write");
            Assert.Same(quick, await Task.WhenAny(quick, sleeper, Task.Delay(TimeSpan.FromSeconds(15))));
            Assert.Equal("written then returned", await quick);
        }
        Assert.False(sleeper.IsCompleted);
    }

    [Fact]
    public async Task ARequestBusyInPythonDoesNotHoldUpQuickOnes()
    {
        // The spinning request holds the GIL. A quick request gets another thread, which takes
        // the GIL at Python's switch interval; the threads that then mostly wait for the GIL step
        // back, and must still be woken for every quick request that follows.
        await using var host = await WsgiHostProcess.StartAsync(WsgiHostProcess.App("gateway.wsgi"), "--threads", "4");
        Task<string> spinning = host.Client.GetStringAsync("/spin?4");
        await Task.Delay(300);
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < 20; i++)
        {
            using var quick = await host.Client.GetAsync("/environ");
            Assert.Equal(200, (int)quick.StatusCode);
        }
        Assert.False(spinning.IsCompleted, $"20 quick requests took {sw.ElapsedMilliseconds} ms: they waited for the spinning one");
        Assert.Equal("spun", await spinning);
    }

    /// <summary>
    /// A mod_wsgi-express command line as a Django project's container runs it: the project's
    /// WSGI module by name, HTTPS only, worker recycling; serve takes it as it is.
    /// </summary>
    [Fact]
    public async Task AModWsgiExpressCommandLineForADjangoModuleRunsAsItIs()
    {
        string certificates = Directory.CreateTempSubdirectory("wsgihost-serve-tls-").FullName;
        try
        {
            TestCertificate.Write(certificates, "site", "localhost");
            int httpsPort = WsgiHostProcess.FreePort();
            string port = httpsPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await using var host = await WsgiHostProcess.StartDaemonAsync("djsite.wsgi", "--application-type", "module",
                "--working-directory", WsgiHostProcess.App("djsite"), "--log-to-terminal", "--maximum-requests", "2",
                "--https-port", port, "--ssl-certificate", Path.Combine(certificates, "site"), "--https-only", "--hsts-policy", "max-age=600");
            Assert.Contains($"WsgiHost serving the module djsite.wsgi (application) at https://127.0.0.1:{port}/", host.Output);

            // The plain port sends every request to the same URL over HTTPS.
            using var plain = await host.ClientWithoutRedirects.GetAsync("/hello/express/?x=1");
            Assert.Equal(301, (int)plain.StatusCode);
            Assert.Equal($"https://127.0.0.1:{port}/hello/express/?x=1", plain.Headers.Location?.ToString());

            using var client = new HttpClient(new SocketsHttpHandler
            {
                SslOptions = new System.Net.Security.SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, c, _, _) => c?.Subject == "CN=localhost" },
            });
            for (int i = 0; i < 3; i++)
            {
                using var response = await client.GetAsync($"https://127.0.0.1:{port}/hello/express/");
                Assert.Equal(200, (int)response.StatusCode);
                Assert.Equal("max-age=600", string.Join(",", response.Headers.GetValues("Strict-Transport-Security")));
                using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                Assert.Equal("express", json.RootElement.GetProperty("hello").GetString());
                Assert.Equal("djsite.settings", json.RootElement.GetProperty("settings").GetString());
            }
            // --maximum-requests 2: the worker that served two requests was replaced.
            await host.WaitForLogAsync("reached maximum-requests=2");
            Assert.Equal(0, await host.StopAsync());
        }
        finally
        {
            Directory.Delete(certificates, recursive: true);
        }
    }

    /// <summary>--pid-file (PidFile in a configuration): the PID to signal while the server runs, gone once it stops.</summary>
    [Fact]
    public async Task ThePidFileNamesTheServerWhileItRuns()
    {
        string pidFile = Path.Combine(Path.GetTempPath(), $"wsgihost-pid-{Guid.NewGuid():N}.pid");
        await using var host = await WsgiHostProcess.StartAsync(WsgiHostProcess.App("pid.wsgi"), "--pid-file", pidFile);
        Assert.Equal($"{host.Pid}\n", File.ReadAllText(pidFile));
        Assert.Equal(0, await host.StopAsync());
        Assert.False(File.Exists(pidFile));
    }

    /// <summary>
    /// A second start of the same site stops at the PidFile, as Apache's "httpd (pid N) already
    /// running": it used to start its workers, fail on the port and remove the running server's file.
    /// </summary>
    [Fact]
    public async Task ASecondStartLeavesTheRunningServersPidFileAlone()
    {
        string pidFile = Path.Combine(Path.GetTempPath(), $"wsgihost-pid-{Guid.NewGuid():N}.pid");
        string script = WsgiHostProcess.App("pid.wsgi");
        await using var host = await WsgiHostProcess.StartAsync(script, "--pid-file", pidFile);
        var (code, output, error) = await WsgiHostProcess.RunToEndAsync("serve", script, "--port", host.Port.ToString(CultureInfo.InvariantCulture), "--pid-file", pidFile);
        Assert.Equal(1, code);
        Assert.Contains($"the PidFile {pidFile} names process {host.Pid}, a WsgiHost server that is running", error, StringComparison.Ordinal);
        Assert.DoesNotContain("worker started", output + error, StringComparison.Ordinal);
        Assert.Equal($"{host.Pid}\n", File.ReadAllText(pidFile));
        // The first server still serves.
        Assert.True(int.TryParse(await host.Client.GetStringAsync("/"), out _));
        Assert.Equal(0, await host.StopAsync());
        Assert.False(File.Exists(pidFile));
    }

    /// <summary>A request whose client gave up while it waited for the only WSGI thread is not run when the thread frees up.</summary>
    [Fact]
    public async Task ARequestWhoseClientLeftWhileQueuedIsNotRun()
    {
        await using var host = await WsgiHostProcess.StartAsync(WsgiHostProcess.App("gateway.wsgi"), "--threads", "1", "--log-level", "info");
        Task<string> busy = host.Client.GetStringAsync("/announced-sleep?2&busy");
        // The only thread is busy before the next request comes (a fixed wait was too short under load).
        await host.WaitForLogAsync("sleeping busy");
        using (var client = new System.Net.Sockets.TcpClient())
        {
            await client.ConnectAsync(System.Net.IPAddress.Loopback, host.Port);
            await client.GetStream().WriteAsync("GET /environ HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray());
            await Task.Delay(300);
        }
        Assert.StartsWith("slept", await busy, StringComparison.Ordinal);
        await host.WaitForLogAsync("The client went away while the request waited for a WSGI thread; it was not run.");
        Assert.Equal(0, await host.StopAsync());
    }

    internal static async Task<(int Code, string Output)> RunCliAsync(params string[] args)
    {
        var (code, output, error) = await WsgiHostProcess.RunToEndAsync(args);
        return (code, output + error);
    }
}
