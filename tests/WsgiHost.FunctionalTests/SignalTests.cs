using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>An app's signal.signal() is ignored with a warning, as under mod_wsgi's WSGIRestrictSignal On.</summary>
public sealed class SignalTests
{
    [Theory]
    [InlineData("--embedded")]
    [InlineData("--processes")]
    public async Task AHandlerAnAppRegistersNeitherTakesTheServersSignalsNorFails(string mode)
    {
        string[] args = mode == "--processes" ? ["--processes", "1"] : [mode];
        await using var host = await WsgiHostProcess.StartAsync(WsgiHostProcess.App("signals.wsgi"), args);

        // In a request, off Python's main thread, where signal.signal would raise ValueError.
        Assert.Equal("registered, got <Handlers.SIG_IGN: 1>", await host.Client.GetStringAsync("/"));
        string log = await host.WaitForLogAsync("Callback registration for signal 12 ignored (WSGIRestrictSignal).");
        Assert.Contains("Callback registration for signal 15 ignored (WSGIRestrictSignal).", log, StringComparison.Ordinal);
        Assert.Contains("signals.wsgi", log, StringComparison.Ordinal);
        // The script's SIGTERM handler was not installed: SIGTERM stops the server as ever.
        Assert.Equal(0, await host.StopAsync(timeoutMs: 10_000));
    }
}
