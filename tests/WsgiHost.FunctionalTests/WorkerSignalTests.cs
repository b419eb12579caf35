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
        // As a script's `wsgihost run site.conf &` starts it: SIGINT ignored, inherited by the workers.
        await using var host = await WsgiHostProcess.RunThroughAsync("/bin/sh", conf, port, "-c", "trap '' INT; exec \"$@\"", "sh");

        int first = await host.AppPidAsync();
        WsgiHostProcess.SendSignal(first, 2);
        int second = await NextWorkerAsync(host, first);

        WsgiHostProcess.SendSignal(second, 10);
        int third = await NextWorkerAsync(host, second);
        await host.WaitForLogAsync("process eviction requested (SIGUSR1), waiting for requests to complete");
        Assert.Contains("(eviction)", host.ErrorLog, StringComparison.Ordinal);

        // The server's SIGUSR1 reopens the logs; its worker (not user=) goes on as it is.
        host.SendSignal(10);
        await Task.Delay(1500);
        Assert.Equal(third, await host.AppPidAsync());
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
