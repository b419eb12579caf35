using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// The server's signals are its own: an app's signal.signal() is ignored with a warning, as under
/// mod_wsgi's WSGIRestrictSignal On, and SIGTERM stops it cleanly whenever it comes.
/// </summary>
public sealed class SignalTests
{
    /// <summary>
    /// A SIGTERM while the listeners open (systemd stopping a server it just started, a
    /// supervisor stopping its server processes as they start) stops the server as one that came
    /// later does. The cue is the line logged just before they open. The web host's own console
    /// lifetime, which also took SIGTERM, cancelled the start instead, and the process ended by
    /// the unhandled TaskCanceledException (SIGABRT; its supervisor then exited 1).
    /// </summary>
    [Theory]
    [InlineData("--embedded")]
    [InlineData("--server-processes", "2")]
    public async Task ASigtermWhileTheServerStartsStopsItCleanly(params string[] mode)
    {
        var (exit, output, error) = await WsgiHostProcess.ServeSignalledAtAsync(WsgiHostProcess.App("gateway.wsgi"), "at startup.", 15, mode);
        Assert.True(exit == 0, $"exit code {exit}:\n{error}\n{output}");
        Assert.DoesNotContain("Unhandled exception", error, StringComparison.Ordinal);
        Assert.DoesNotContain("by signal", error, StringComparison.Ordinal);
    }

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
