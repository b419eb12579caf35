using System.Diagnostics;
using System.Net;
using System.Text.Json;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// MapWsgi with a daemon process group (<c>AddDaemonProcess</c>): the app runs in worker
/// processes that are the test host's own program started again, behind the same endpoint
/// conventions, and a dead worker is replaced.
/// </summary>
[Collection(AspNetCoreCollection.Name)]
public sealed class AspNetCoreDaemonTests(AspNetCoreHost host)
{
    private Task<HttpResponseMessage> GetAsync(string url, string? user = "alice") => host.Client.SendAsync(AspNetCoreHost.Get(url, user));

    private async Task<int> WorkerPidAsync()
    {
        using var response = await GetAsync("/daemon/pid");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return int.Parse(await response.Content.ReadAsStringAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task TheAppRunsInAWorkerProcessOfTheHostsOwnProgram()
    {
        int pid = await WorkerPidAsync();
        Assert.NotEqual(Environment.ProcessId, pid);
        // The same executable (the test host), turned into a worker by the startup hook.
        Assert.Equal(File.ResolveLinkTarget("/proc/self/exe", true)!.FullName, File.ResolveLinkTarget($"/proc/{pid}/exe", true)!.FullName);
        Assert.Equal("(wsgi:aspnet-da", File.ReadAllText($"/proc/{pid}/comm").Trim()); // display-name=%{GROUP}, cut to 15 bytes by Linux
        Assert.Equal("(wsgi:aspnet-daemon)", File.ReadAllText($"/proc/{pid}/cmdline").TrimEnd('\0'));

        using var response = await GetAsync("/daemon/environ");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        string Value(string key) => json.RootElement.GetProperty(key).GetProperty("value").GetString()!;
        Assert.Equal(AspNetCoreHost.DaemonGroup, Value("mod_wsgi.process_group"));
        Assert.Equal("alice", Value("REMOTE_USER"));
        Assert.Equal("/daemon", Value("SCRIPT_NAME"));
        Assert.Equal("/environ", Value("PATH_INFO"));
        Assert.Equal("daemon", Value("MOUNT"));
        Assert.Equal("True", json.RootElement.GetProperty("wsgi.multiprocess").GetProperty("repr").GetString());
    }

    [Fact]
    public async Task TheMountKeepsItsAuthorizationPolicy()
    {
        using var anonymous = await GetAsync("/daemon/pid", user: null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var guest = await GetAsync("/daemon/pid", user: "guest");
        Assert.Equal(HttpStatusCode.Forbidden, guest.StatusCode);
    }

    [Theory]
    [InlineData("DOTNET_STARTUP_HOOKS")]
    [InlineData("WSGIHOST_WORKER_ARGUMENTS")]
    [InlineData("WSGIHOST_DAEMON_SECRET")]
    public async Task TheWorkersPlumbingStaysOutOfTheAppsEnvironment(string variable)
    {
        using var response = await GetAsync("/daemon/os-environ?" + variable);
        Assert.Equal("{\"value\": null}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task WorkerOutputReachesTheHostsLogger()
    {
        string tag = Guid.NewGuid().ToString("N");
        using var response = await GetAsync("/daemon/print?" + tag);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await host.WaitForLogAsync("printed line one " + tag);
    }

    [Fact]
    public async Task KilledWorkersFailOnlyTheirRequestsAndAreReplaced()
    {
        int[] before = [.. WorkerPids()];
        Assert.Equal(2, before.Length);
        string tag = Guid.NewGuid().ToString("N");
        Task<HttpResponseMessage> slow = GetAsync($"/daemon/announced-sleep?30&{tag}");
        await host.WaitForLogAsync("sleeping " + tag);
        foreach (int pid in before)
        {
            Process.GetProcessById(pid).Kill();
        }
        using (HttpResponseMessage failed = await slow)
        {
            Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        }
        await host.WaitForLogAsync("killed by signal 9");
        // The group serves again, from new processes.
        int after = await WorkerPidAsync();
        Assert.DoesNotContain(after, before);
        var watch = Stopwatch.StartNew();
        while (WorkerPids().Count() < 2 && watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(100);
        }
        Assert.Equal(2, WorkerPids().Count());
        Assert.Empty(WorkerPids().Intersect(before));
    }

    /// <summary>This process's children that are workers of the group (their comm is the display name).</summary>
    private static IEnumerable<int> WorkerPids() =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out int pid) ? pid : 0)
            .Where(pid => pid > 0 && ProcFs.Read($"/proc/{pid}/comm").Trim() == "(wsgi:aspnet-da" && ProcFs.ParentOf(pid) == Environment.ProcessId);
}
