using System.Security.Cryptography;
using System.Text;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>Scripts load as mod_wsgi loads them: module name, callable lookup, errors, reloading, load-once.</summary>
public sealed class ScriptLoadingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wsgihost-load-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Copy(string template, string name = "app.wsgi")
    {
        string target = Path.Combine(_dir, name);
        File.Copy(WsgiHostProcess.App(Path.Combine("loading", template)), target, overwrite: true);
        return target;
    }

    /// <summary>Replaces the script and moves its mtime forward so the change is always seen.</summary>
    private void Replace(string script, string template)
    {
        DateTime before = File.GetLastWriteTimeUtc(script);
        File.Copy(WsgiHostProcess.App(Path.Combine("loading", template)), script, overwrite: true);
        File.SetLastWriteTimeUtc(script, before.AddSeconds(2));
    }

    /// <summary>`wsgihost run` on a site of <paramref name="directives"/> after Listen and LogLevel info.</summary>
    private Task<WsgiHostProcess> RunSiteAsync(string directives)
    {
        string config = Path.Combine(_dir, "site.conf");
        int port = WsgiHostProcess.FreePort();
        File.WriteAllText(config, $"Listen 127.0.0.1:{port}\nLogLevel info\n{directives}\n");
        return WsgiHostProcess.RunAsync(config, port, new Dictionary<string, string>());
    }

    [Fact]
    public async Task TheScriptLoadsOnceWhenTheFirstRequestsArriveTogether()
    {
        string script = Copy("slow_setup.wsgi");
        await using var host = await WsgiHostProcess.StartAsync(script, "--threads", "8");
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => host.Client.GetStringAsync("/")));
        string module = "_mod_wsgi_" + Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(script)));
        Assert.All(responses, r => Assert.Equal($"ready=True module={module}", r));
        Assert.Equal(["loaded"], File.ReadAllLines(Path.Combine(_dir, "loads.txt")));
    }

    [Theory]
    [InlineData("--embedded")]
    [InlineData("--processes")]
    public async Task ServeLoadsTheScriptAtStartSoABrokenOneIsInTheLogBeforeAnyRequest(string mode)
    {
        // As mod_wsgi-express, which preloads its script in the daemon: the traceback is there at once.
        string script = Copy("syntax_error.wsgi");
        string[] args = mode == "--processes" ? [mode, "1"] : [mode];
        await using var host = await WsgiHostProcess.StartAsync(script, args);
        await host.WaitForLogAsync("SyntaxError");
        Assert.Contains($"Failed to exec Python script file '{script}'", host.ErrorLog);
    }

    [Fact]
    public async Task AModuleInAFolderAboveTheScriptIsNamedInTheLogWithTheOptionThatAddsIt()
    {
        // Django's layout: serve mysite/wsgi.py, which imports mysite.settings.
        string layout = Path.Combine(WsgiHostProcess.TestAppsDirectory, "layout");
        string script = Path.Combine(layout, "site_pkg", "wsgi.py");
        string hint = $"The module 'site_pkg' is in {layout}, which is not on sys.path: add it with --python-path {layout} (serve)";
        await using (var host = await WsgiHostProcess.StartAsync(script))
        {
            // Said as the script is loaded at startup, before any request (QA: only a request's failure said it).
            await host.WaitForLogAsync(hint);
            using var failed = await host.Client.GetAsync("/");
            Assert.Equal(500, (int)failed.StatusCode);
            await host.WaitForLogAsync($"Exception occurred processing WSGI script '{script}'");
            Assert.Equal(2, host.ErrorLog.Split(hint).Length - 1);
        }
        await using (var fixedHost = await WsgiHostProcess.StartAsync(script, "--python-path", layout))
        {
            Assert.Equal("found site_pkg", await fixedHost.Client.GetStringAsync("/"));
        }
    }

    [Fact]
    public async Task AChangedScriptIsReExecutedOnTheNextRequest()
    {
        string script = Copy("version_one.wsgi");
        await using var host = await WsgiHostProcess.StartAsync(script);
        Assert.Equal("version one", await host.Client.GetStringAsync("/"));
        Replace(script, "version_two.wsgi");
        Assert.Equal("version two", await host.Client.GetStringAsync("/"));
        await host.WaitForLogAsync("Reloading WSGI script");
    }

    [Fact]
    public async Task AChangedScriptIsReExecutedInItsOwnSubInterpreter()
    {
        string script = Copy("version_one.wsgi");
        await using var host = await RunSiteAsync($"WSGIScriptAlias /app {script} application-group=reloaded");
        Assert.Equal("version one", await host.Client.GetStringAsync("/app"));
        Replace(script, "version_two.wsgi");
        Assert.Equal("version two", await host.Client.GetStringAsync("/app"));
        await host.WaitForLogAsync("Reloading WSGI script");
        // Reloaded in place: the group still has the one interpreter it was created with.
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(host.ErrorLog, "Create interpreter 'reloaded'"));
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task InDaemonModeAChangedScriptRestartsTheWorkerWithoutAFailedRequest()
    {
        string script = Copy("version_one.wsgi");
        await using var host = await RunSiteAsync($"WSGIDaemonProcess app threads=2\nWSGIScriptAlias / {script} process-group=app application-group=%{{GLOBAL}}");
        Assert.Equal("version one", await host.Client.GetStringAsync("/"));

        using var stopLoad = new CancellationTokenSource();
        var answers = new System.Collections.Concurrent.ConcurrentBag<string>();
        Task load = Task.Run(async () =>
        {
            while (!stopLoad.IsCancellationRequested)
            {
                using var r = await host.Client.GetAsync("/");
                answers.Add(r.IsSuccessStatusCode ? await r.Content.ReadAsStringAsync() : $"HTTP {(int)r.StatusCode}");
            }
        });
        await Task.Delay(200);
        Replace(script, "version_two.wsgi");
        await host.WaitForLogAsync("changed; restarting the worker to load it afresh");
        string after = "";
        for (int i = 0; i < 50 && after != "version two"; i++)
        {
            after = await host.Client.GetStringAsync("/");
        }
        Assert.Equal("version two", after);
        stopLoad.Cancel();
        await load;
        Assert.All(answers, a => Assert.StartsWith("version ", a));
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task InDaemonModeTheFirstRequestAfterAChangeGetsTheNewScript()
    {
        // Each request after a change comes to a worker connection that waits for it on the
        // worker's readiness loop; the check for changes is made as of the loop's notification.
        string script = Copy("version_one.wsgi");
        await using var host = await RunSiteAsync($"WSGIDaemonProcess app processes=1 threads=2\nWSGIScriptAlias / {script} process-group=app application-group=%{{GLOBAL}}");
        string[] versions = ["version_one.wsgi", "version_two.wsgi"];
        for (int change = 1; change <= 4; change++)
        {
            // Warm: the front keeps its connection to the (new) worker between the requests.
            for (int i = 0; i < 3; i++)
            {
                Assert.Equal(change % 2 == 1 ? "version one" : "version two", await host.Client.GetStringAsync("/"));
            }
            Replace(script, versions[change % 2]);
            Assert.Equal(change % 2 == 1 ? "version two" : "version one", await host.Client.GetStringAsync("/"));
        }
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task WithReloadingOffTheFirstVersionStays()
    {
        string script = Copy("version_one.wsgi");
        await using var host = await WsgiHostProcess.StartAsync(script, "--no-reload");
        Assert.Equal("version one", await host.Client.GetStringAsync("/"));
        Replace(script, "version_two.wsgi");
        Assert.Equal("version one", await host.Client.GetStringAsync("/"));
    }

    [Fact]
    public async Task AMissingScriptIs404AndComesBackWhenRestored()
    {
        string script = Copy("version_one.wsgi");
        await using var host = await WsgiHostProcess.StartAsync(script);
        File.Move(script, script + ".away");
        using (var response = await host.Client.GetAsync("/"))
        {
            Assert.Equal(404, (int)response.StatusCode);
        }
        await host.WaitForLogAsync($"Target WSGI script not found or unable to stat: {script}");
        File.Move(script + ".away", script);
        Assert.Equal("version one", await host.Client.GetStringAsync("/"));
    }

    [Fact]
    public async Task AMissingCallableIs404WithALogLineNamingIt()
    {
        string script = Copy("other_callable.wsgi");
        await using var host = await WsgiHostProcess.StartAsync(script);
        using var response = await host.Client.GetAsync("/");
        Assert.Equal(404, (int)response.StatusCode);
        await host.WaitForLogAsync($"Target WSGI script '{script}' does not contain WSGI application 'application'.");
    }

    [Fact]
    public async Task CallableObjectNamesTheCallable()
    {
        string script = Copy("other_callable.wsgi");
        await using var host = await WsgiHostProcess.StartAsync(script, "--callable-object", "handler");
        Assert.Equal("served by handler", await host.Client.GetStringAsync("/"));
    }

    [Theory]
    [InlineData("syntax_error.wsgi", "SyntaxError")]
    [InlineData("import_error.wsgi", "ModuleNotFoundError: No module named 'module_that_does_not_exist_anywhere'")]
    public async Task ABrokenScriptIs500WithATracebackAndWorksOnceFixed(string template, string error)
    {
        string script = Copy(template);
        await using var host = await WsgiHostProcess.StartAsync(script);
        using (var response = await host.Client.GetAsync("/"))
        {
            Assert.Equal(500, (int)response.StatusCode);
        }
        string log = await host.WaitForLogAsync(error);
        Assert.Contains($"Failed to exec Python script file '{script}'.", log);
        Assert.Contains($"File \"{script}\"", log);
        Replace(script, "version_one.wsgi");
        Assert.Equal("version one", await host.Client.GetStringAsync("/"));
    }
}
