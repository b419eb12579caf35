using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// After a burst of requests, the first quiet 10 s tick makes a process that grew give memory
/// back, once (a compacting collection and malloc_trim, noted at core:debug): a daemon worker,
/// an embedded server process. What the app serves afterwards, uploads through shared memory
/// included, is still whole. As each process starts serving it drops the mapped file pages
/// only its startup used.
/// </summary>
public sealed class IdleMemoryTrimTests
{
    private static async Task UploadAsync(WsgiHostProcess host, int size, int seed)
    {
        byte[] body = EchoedUploads.Body(size, seed);
        using var response = await host.Client.PostAsync("/echo", new ByteArrayContent(body));
        await EchoedUploads.AssertEchoedAsync(response, body);
    }

    /// <summary>A large upload (through the shared-memory slots in daemon mode) and a small one, each echoed whole.</summary>
    private static async Task ServesOnWholeAsync(WsgiHostProcess host)
    {
        await UploadAsync(host, 3 * 1024 * 1024 + 1, 42);
        await UploadAsync(host, 100, 43);
    }

    private static int Trims(WsgiHostProcess host, int pid) =>
        host.ErrorLog.Split('\n').Count(l => l.Contains($"[pid {pid}] After a burst of requests: gave ", StringComparison.Ordinal));

    /// <summary>Uploads in parallel, then waits for <paramref name="pid"/>'s trim; returns how long after the burst it came.</summary>
    private static async Task<TimeSpan> BurstThenTrimAsync(WsgiHostProcess host, int pid)
    {
        await Parallel.ForEachAsync(Enumerable.Range(0, 6), new ParallelOptions { MaxDegreeOfParallelism = 3 }, async (seed, _) => await UploadAsync(host, 2 * 1024 * 1024 + seed, seed));
        var quiet = System.Diagnostics.Stopwatch.StartNew();
        await host.WaitForLogAsync($"[pid {pid}] After a burst of requests: gave ", 40_000);
        return quiet.Elapsed;
    }

    [Fact]
    public async Task TheFrontAndTheWorkerEachDropThePagesOnlyTheirStartupUsedAndServeOnWhole()
    {
        await using var host = await WsgiHostProcess.RunConfigAsync("idle-trim.conf");
        int worker = await host.AppPidAsync();
        foreach (int pid in new[] { host.Pid, worker })
        {
            // "[pid N] Started: dropped 18.7 MB of mapped file pages only startup used in 12.5 ms (RSS 29.4 -> 15.0 MB)."
            string line = await host.WaitForLogLineAsync($"[pid {pid}] Started: dropped ", 10_000);
            var figures = System.Text.RegularExpressions.Regex.Match(line, @"dropped (\d+\.\d) MB .* \(RSS (\d+\.\d) -> (\d+\.\d) MB\)");
            Assert.True(figures.Success, line);
            double dropped = double.Parse(figures.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            double before = double.Parse(figures.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            double after = double.Parse(figures.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(dropped >= 1 && after < before - 1, line);
        }

        // Code and data dropped come back from the page cache as they are touched.
        await ServesOnWholeAsync(host);
        Assert.Equal(worker, await host.AppPidAsync());
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task ADaemonWorkerGivesMemoryBackOnceAfterABurstAndServesOnWhole()
    {
        await using var host = await WsgiHostProcess.RunConfigAsync("idle-trim.conf");
        int worker = await host.AppPidAsync();
        TimeSpan after = await BurstThenTrimAsync(host, worker);
        Assert.True(after > TimeSpan.FromSeconds(9), $"trimmed {after} after the last request");
        // Once per burst: a while later there is still one line. The front, which has no
        // Python, may have grown too little to be worth a collection, but trims once at most.
        await Task.Delay(TimeSpan.FromSeconds(11));
        Assert.Equal(1, Trims(host, worker));
        Assert.InRange(Trims(host, host.Pid), 0, 1);

        // The collection moved what it could: nothing the worker or the front still uses was left behind.
        await ServesOnWholeAsync(host);
        Assert.Equal(worker, await host.AppPidAsync());
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task AnEmbeddedServerGivesMemoryBackOnceAfterABurstAndServesOnWhole()
    {
        await using var host = await WsgiHostProcess.RunConfigAsync("idle-trim-embedded.conf");
        Assert.Equal(host.Pid, await host.AppPidAsync());
        TimeSpan after = await BurstThenTrimAsync(host, host.Pid);
        Assert.True(after > TimeSpan.FromSeconds(9), $"trimmed {after} after the last request");
        await Task.Delay(TimeSpan.FromSeconds(11));
        Assert.Equal(1, Trims(host, host.Pid));

        await ServesOnWholeAsync(host);
        Assert.Equal(0, await host.StopAsync());
    }
}
