using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// Signals sent to a daemon worker itself, as mod_wsgi's daemon processes take them: SIGINT
/// ends it (its successor starts; mod_wsgi's code-monitor recipe sends it from inside the app),
/// SIGUSR1 restarts it once its requests are done (eviction). The server's SIGUSR1 (logrotate)
/// only reopens the workers' logs.
/// </summary>
public sealed class WorkerSignalTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wsgihost-worker-signals-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task AWorkerTakesSigintAndSigusr1AsModWsgisDaemonsDoEvenWhenStartedInTheBackground()
    {
        int port = WsgiHostProcess.FreePort();
        string conf = Path.Combine(_dir, "site.conf");
        File.WriteAllText(conf, $"""
            Listen 127.0.0.1:{port}
            LogLevel info
            WSGIDaemonProcess signals processes=1 threads=2
            WSGIProcessGroup signals
            WSGIScriptAlias / {WsgiHostProcess.App("gateway.wsgi")}
            """);
        // As a script's `wsgihost run site.conf &` starts it: SIGINT ignored, inherited by the
        // workers; and SIGUSR2, with which the server has its workers reopen their logs.
        await using var host = await WsgiHostProcess.RunThroughAsync("/bin/sh", conf, port, "-c", "trap '' INT USR2; exec \"$@\"", "sh");
        await host.WaitForLogAsync("SIGUSR2 was inherited as ignored (nohup?); WsgiHost handles it anyway.");

        int first = await host.AppPidAsync();
        WsgiHostProcess.SendSignal(first, 2);
        int second = await NextWorkerAsync(host, first);

        WsgiHostProcess.SendSignal(second, 10);
        int third = await NextWorkerAsync(host, second);
        await host.WaitForLogAsync("process eviction requested (SIGUSR1), waiting for requests to complete");
        // Said as the front sees the worker exit, which may come after its successor answers.
        await host.WaitForLogAsync("(eviction)");

        // The server's SIGUSR1 reopens the logs; its worker (not user=) goes on as it is.
        host.SendSignal(10);
        await Task.Delay(1500);
        Assert.Equal(third, await host.AppPidAsync());
        Assert.Equal(0, await host.StopAsync());
    }

    /// <summary>
    /// eviction-timeout= bounds the drain after SIGUSR1 instead of graceful-timeout=, as in
    /// mod_wsgi: a worker evicted with a request that runs on is replaced after about 1 s + 1 s
    /// of shutdown-timeout, not after graceful-timeout's 60.
    /// </summary>
    [Fact]
    public async Task EvictionTimeoutBoundsTheDrainAfterSigusr1()
    {
        int port = WsgiHostProcess.FreePort();
        string conf = Path.Combine(_dir, "evict.conf");
        File.WriteAllText(conf, $"""
            Listen 127.0.0.1:{port}
            LogLevel info
            WSGIDaemonProcess evict processes=1 threads=2 graceful-timeout=60 eviction-timeout=1 shutdown-timeout=1
            WSGIProcessGroup evict
            WSGIScriptAlias / {WsgiHostProcess.App("gateway.wsgi")}
            """);
        await using var host = await WsgiHostProcess.RunAsync(conf, port, new Dictionary<string, string>());
        int first = await host.AppPidAsync();
        Task<HttpResponseMessage> running = host.Client.GetAsync("/announced-sleep?40&evicted");
        await host.WaitForLogAsync("sleeping evicted");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        WsgiHostProcess.SendSignal(first, 10);
        await host.WaitForLogAsync("requests still running after eviction-timeout=1 s; they get shutdown-timeout=1 s more.");
        using (HttpResponseMessage cut = await running)
        {
            Assert.Equal(502, (int)cut.StatusCode);
        }
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the drain took {clock.Elapsed}");
        Assert.NotEqual(first, await NextWorkerAsync(host, first));
        Assert.Equal(0, await host.StopAsync());
    }

    private static async Task<int> NextWorkerAsync(WsgiHostProcess host, int before)
    {
        for (int i = 0; i < 200; i++)
        {
            try
            {
                if (await host.AppPidAsync() is int pid && pid != before)
                {
                    return pid;
                }
            }
            catch (HttpRequestException)
            {
                // Between workers.
            }
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException($"worker {before} was not replaced:\n{host.ErrorLog}");
    }
}
