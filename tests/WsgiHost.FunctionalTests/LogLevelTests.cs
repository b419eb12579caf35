using System.Globalization;
using System.Net;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>`LogLevel warn wsgi:info`: each module's entries are filtered by its own level, in the server and its daemon workers.</summary>
public sealed class LogLevelTests
{
    [Fact]
    public async Task AModuleLevelShowsThatModulesEntriesAndLeavesTheOthersAtTheServerLevel()
    {
        int port = WsgiHostProcess.FreePort();
        await using var host = await WsgiHostProcess.RunAsync(Path.Combine(WsgiHostProcess.TestAppsDirectory, "configs", "loglevel-modules.conf"), port,
            new Dictionary<string, string> { ["PORT"] = port.ToString(CultureInfo.InvariantCulture) });
        using (var unmapped = await host.Client.GetAsync("/nothing"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unmapped.StatusCode);   // core:info "no Alias or WSGIScriptAlias maps URL"
        }
        Assert.Equal("written then returned", await host.Client.GetStringAsync("/app/write"));

        // wsgi at info: the server's notice and the worker's info (the worker got the module's level).
        await host.WaitForLogAsync("] [wsgi:notice] ");
        await host.WaitForLogAsync("Daemon process group 'logged' worker started");
        Assert.Equal(0, await host.StopAsync());
        Assert.DoesNotContain("no Alias or WSGIScriptAlias maps URL", host.ErrorLog);
        Assert.DoesNotContain(":info] ", string.Join("\n", host.ErrorLog.Split('\n').Where(l => !l.Contains("] [wsgi:", StringComparison.Ordinal))));
    }
}
