using System.Text.Json;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>One interpreter per application group, as mod_wsgi, with environment isolation beyond it.</summary>
public sealed class ApplicationGroupTests : IDisposable
{
    private readonly List<int> _pids = [];

    /// <summary>groups.conf preloads a script that leaves a marker named after the server's pid.</summary>
    public void Dispose()
    {
        foreach (int pid in _pids)
        {
            File.Delete(Path.Combine(Path.GetTempPath(), $"wsgihost-preload-{pid}.marker"));
        }
    }

    private async Task<WsgiHostProcess> RunAsync(string config)
    {
        int port = WsgiHostProcess.FreePort();
        WsgiHostProcess host = await WsgiHostProcess.RunAsync(Path.Combine(WsgiHostProcess.TestAppsDirectory, "configs", config), port,
            new Dictionary<string, string> { ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        _pids.Add(host.Pid);
        return host;
    }

    private static async Task<JsonElement> GetJsonAsync(WsgiHostProcess host, string path) =>
        JsonDocument.Parse(await host.Client.GetStringAsync(path)).RootElement;

    [Fact]
    public async Task EachGroupHasItsOwnModulesAndAGroupUsedTwiceSharesThem()
    {
        await using var host = await RunAsync("groups.conf");
        JsonElement a = await GetJsonAsync(host, "/a/");
        JsonElement a2 = await GetJsonAsync(host, "/a2/");
        JsonElement b = await GetJsonAsync(host, "/b/");
        JsonElement g = await GetJsonAsync(host, "/g/");
        JsonElement g2 = await GetJsonAsync(host, "/g2/");

        // alpha: two mounts, one interpreter, one module (its globals count both requests).
        Assert.Equal("alpha", a.GetProperty("group").GetString());
        Assert.Equal(a.GetProperty("interpreter").GetInt64(), a2.GetProperty("interpreter").GetInt64());
        Assert.Equal((1, 1), (a.GetProperty("loads").GetInt32(), a.GetProperty("hits").GetInt32()));
        Assert.Equal((1, 2), (a2.GetProperty("loads").GetInt32(), a2.GetProperty("hits").GetInt32()));
        // beta: another interpreter, the script loaded afresh.
        Assert.Equal("beta", b.GetProperty("group").GetString());
        Assert.NotEqual(a.GetProperty("interpreter").GetInt64(), b.GetProperty("interpreter").GetInt64());
        Assert.Equal((1, 1), (b.GetProperty("loads").GetInt32(), b.GetProperty("hits").GetInt32()));
        // %{GLOBAL}: the main interpreter, shared by its mounts.
        Assert.Equal("", g.GetProperty("group").GetString());
        Assert.Equal(g.GetProperty("interpreter").GetInt64(), g2.GetProperty("interpreter").GetInt64());
        Assert.Equal(2, g2.GetProperty("hits").GetInt32());
        Assert.NotEqual(g.GetProperty("interpreter").GetInt64(), a.GetProperty("interpreter").GetInt64());
        await host.WaitForLogAsync("Create interpreter 'beta'.");
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task GroupLabelsExpandAsModWsgiDoes()
    {
        await using var host = await RunAsync("groups.conf");
        // %{RESOURCE} (no directive): ServerName, the port unless 80/443, "|", SCRIPT_NAME.
        Assert.Equal($"groups.test:{host.Port}|/r", (await GetJsonAsync(host, "/r/")).GetProperty("group").GetString());
        Assert.Equal($"groups.test:{host.Port}", (await GetJsonAsync(host, "/s/")).GetProperty("group").GetString());
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task ANewInterpreterDoesNotSeeAnotherGroupsEnvironmentWrites()
    {
        await using var host = await RunAsync("groups.conf");
        Assert.Equal("from-leaker", await host.Client.GetStringAsync("/leak/"));
        // Created after the leaker wrote os.environ (and so the process environment).
        JsonElement later = await GetJsonAsync(host, "/b/");
        Assert.Equal(JsonValueKind.Null, later.GetProperty("marker_env").ValueKind);
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task ImportScriptRunsInItsGroupBeforeTheFirstRequest()
    {
        await using var host = await RunAsync("groups.conf");
        string marker = Path.Combine(Path.GetTempPath(), $"wsgihost-preload-{host.Pid}.marker");
        try
        {
            Assert.True(File.Exists(marker), "the preloaded script did not run at startup");
            Assert.Equal("preloaded", await host.Client.GetStringAsync("/preloaded/"));
            Assert.Equal(0, await host.StopAsync());
            Assert.DoesNotContain("did not finish shutting down", host.ErrorLog);
        }
        finally
        {
            File.Delete(marker);
        }
    }

    [Fact]
    public async Task TwoDjangoSitesInOneProcessEachServeTheirOwnSettings()
    {
        await using var host = await RunAsync("twosites.conf");
        JsonElement a = await GetJsonAsync(host, "/site-a/");
        JsonElement b = await GetJsonAsync(host, "/site-b/");
        Assert.Equal(("site A", "twosites.settings_a"), (a.GetProperty("site").GetString(), a.GetProperty("settings_module").GetString()));
        Assert.Equal(("site B", "twosites.settings_b"), (b.GetProperty("site").GetString(), b.GetProperty("settings_module").GetString()));
        // Django sets os.environ['TZ'] from TIME_ZONE; site B sees its own, not site A's.
        Assert.Equal("Asia/Tokyo", a.GetProperty("tz").GetString());
        Assert.Equal("America/Lima", b.GetProperty("tz").GetString());
        Assert.Equal(0, await host.StopAsync());
        Assert.DoesNotContain("did not finish shutting down", host.ErrorLog);
    }

    [Fact]
    public async Task AFailedImportInASubInterpreterNamesTheFix()
    {
        await using var host = await RunAsync("groups.conf");
        using var response = await host.Client.GetAsync("/broken/");
        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, response.StatusCode);
        await host.WaitForLogAsync("runs in the sub-interpreter of application group 'broken'");
        Assert.Contains("WSGIApplicationGroup %{GLOBAL}", host.ErrorLog);
        // Other groups keep serving.
        Assert.Equal("alpha", (await GetJsonAsync(host, "/a/")).GetProperty("group").GetString());
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task AFolderTargetMapsTheNextSegmentToAScriptAndInventedNamesCreateNothing()
    {
        await using var host = await RunAsync("groups.conf");
        JsonElement counter = await GetJsonAsync(host, "/dyn/counter.wsgi/extra");
        Assert.Equal($"groups.test:{host.Port}|/dyn/counter.wsgi", counter.GetProperty("group").GetString());
        using (var missing = await host.Client.GetAsync("/dyn/no-such-script.wsgi"))
        {
            Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.StatusCode);
        }
        await host.WaitForLogAsync("Target WSGI script not found or unable to stat");
        Assert.DoesNotContain("no-such-script", string.Join("\n", host.ErrorLog.Split('\n').Where(l => l.Contains("Create interpreter", StringComparison.Ordinal))));
        Assert.Equal(0, await host.StopAsync());
    }
}
