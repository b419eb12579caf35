using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// WSGIPythonOptimize 1 is python -O for the app, embedded and in a daemon group as mod_wsgi
/// applies it: assert statements are stripped and __debug__ is False (optimize.conf). Without
/// it, asserts run (ServeTests' apps do).
/// </summary>
public sealed class PythonOptimizeTests
{
    [Fact]
    public async Task AssertsAreStrippedInTheServersPythonAndInTheDaemonWorkers()
    {
        await using var host = await WsgiHostProcess.RunConfigAsync("optimize.conf");

        Assert.Equal("optimize=1 debug=False asserts=stripped", await host.Client.GetStringAsync("/embedded"));
        Assert.Equal("optimize=1 debug=False asserts=stripped", await host.Client.GetStringAsync("/daemon"));
    }

    [Fact]
    public async Task WithoutItAssertsRun()
    {
        await using var host = await WsgiHostProcess.StartAsync(WsgiHostProcess.App("optimize.wsgi"));

        Assert.Equal("optimize=0 debug=True asserts=run", await host.Client.GetStringAsync("/"));
    }
}
