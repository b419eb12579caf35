using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// What SIGHUP does to `serve`'s application, and what the log says it did: daemon workers are
/// replaced (new code); an application embedded in the server process keeps its code, and the
/// log says so instead of claiming a reload (QA: "daemon workers restarted gracefully (the
/// application's code loaded anew)" with no daemon workers, and the old code served on).
/// </summary>
public sealed class ServeReloadTests
{
    private const string EmbeddedKeepsItsCode = "application(s) embedded in this server process keep the code they loaded";

    [Fact]
    public async Task SighupSaysAnEmbeddedApplicationKeepsItsCode()
    {
        await using var host = await WsgiHostProcess.StartAsync(WsgiHostProcess.App("gateway.wsgi"));
        int pid = await host.AppPidAsync();
        host.SendSignal(1);
        string log = await host.WaitForLogAsync(EmbeddedKeepsItsCode);
        Assert.Contains("Restart the server to load them", log, StringComparison.Ordinal);
        Assert.DoesNotContain("daemon workers restarted", log, StringComparison.Ordinal);
        Assert.Equal(pid, await host.AppPidAsync());
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task SighupGivesADaemonApplicationNewWorkers()
    {
        await using var host = await WsgiHostProcess.StartDaemonAsync(WsgiHostProcess.App("gateway.wsgi"), "--processes", "1", "--threads", "2");
        int pid = await host.AppPidAsync();
        host.SendSignal(1);
        await host.WaitForLogAsync("SIGHUP: daemon workers restarted gracefully (the application's code loaded anew)");
        for (int i = 0; i < 100 && await host.AppPidAsync() == pid; i++)
        {
            await Task.Delay(100);
        }
        Assert.NotEqual(pid, await host.AppPidAsync());
        Assert.DoesNotContain(EmbeddedKeepsItsCode, host.ErrorLog, StringComparison.Ordinal);
        Assert.Equal(0, await host.StopAsync());
    }
}
