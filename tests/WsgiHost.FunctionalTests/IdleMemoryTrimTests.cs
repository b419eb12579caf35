using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// After a burst of requests, the first quiet 10 s tick makes the front and the daemon worker
/// each give memory back once (a compacting collection and malloc_trim, noted at core:debug), and what
/// the app serves afterwards, uploads through shared memory included, is still whole.
/// </summary>
public sealed class IdleMemoryTrimTests
{
    private static async Task UploadAsync(WsgiHostProcess host, int size, int seed)
    {
        byte[] body = EchoedUploads.Body(size, seed);
        using var response = await host.Client.PostAsync("/echo", new ByteArrayContent(body));
        await EchoedUploads.AssertEchoedAsync(response, body);
    }

    private static int Trims(WsgiHostProcess host, int pid) =>
        host.ErrorLog.Split('\n').Count(l => l.Contains($"[pid {pid}] After a burst of requests: gave ", StringComparison.Ordinal));

    [Fact]
    public async Task TheFrontAndTheWorkerGiveMemoryBackOnceAfterAQuietSpellAndServeOnWhole()
    {
        await using var host = await WsgiHostProcess.RunConfigAsync("idle-trim.conf");
        int worker = await host.AppPidAsync();
        await Parallel.ForEachAsync(Enumerable.Range(0, 6), new ParallelOptions { MaxDegreeOfParallelism = 3 }, async (seed, _) => await UploadAsync(host, 2 * 1024 * 1024 + seed, seed));
        var quiet = System.Diagnostics.Stopwatch.StartNew();

        await host.WaitForLogAsync($"[pid {worker}] After a burst of requests: gave ", 40_000);
        await host.WaitForLogAsync($"[pid {host.Pid}] After a burst of requests: gave ", 40_000);
        Assert.True(quiet.Elapsed > TimeSpan.FromSeconds(9), $"trimmed {quiet.Elapsed} after the last request");
        // Once per burst: a while later there is still one line each.
        await Task.Delay(TimeSpan.FromSeconds(11));
        Assert.Equal(1, Trims(host, worker));
        Assert.Equal(1, Trims(host, host.Pid));

        // The collection moved what it could: nothing the worker or the front still uses was left behind.
        await UploadAsync(host, 3 * 1024 * 1024 + 1, 42);
        await UploadAsync(host, 100, 43);
        Assert.Equal(worker, await host.AppPidAsync());
        Assert.Equal(0, await host.StopAsync());
    }
}
