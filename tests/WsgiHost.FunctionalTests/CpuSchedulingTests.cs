using System.Globalization;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// --cpu-scheduling: every thread of the server and of its daemon workers runs SCHED_BATCH by
/// default, Linux's default policy when asked, and a policy the operator chose is kept.
/// </summary>
public sealed class CpuSchedulingTests : IDisposable
{
    private const int SchedOther = 0;
    private const int SchedBatch = 3;
    private const int SchedIdle = 5;

    private readonly string _dir = Directory.CreateTempSubdirectory("wsgihost-sched-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task TheServerAndItsWorkersRunBatchByDefault()
    {
        await using var host = await WsgiHostProcess.StartDaemonAsync(WsgiHostProcess.App("gateway.wsgi"), "--threads", "3");
        int worker = await host.AppPidAsync();

        Assert.NotEqual(host.Pid, worker);
        Assert.Equal([SchedBatch], Policies(host.Pid));
        Assert.Equal([SchedBatch], Policies(worker));
        await host.WaitForOutputAsync("cpu:    batch (SCHED_BATCH");
    }

    [Fact]
    public async Task NormalKeepsLinuxDefaultPolicy()
    {
        await using var host = await WsgiHostProcess.StartDaemonAsync(WsgiHostProcess.App("gateway.wsgi"), "--cpu-scheduling", "normal");
        int worker = await host.AppPidAsync();

        Assert.Equal([SchedOther], Policies(host.Pid));
        Assert.Equal([SchedOther], Policies(worker));
        await host.WaitForOutputAsync("cpu:    normal (--cpu-scheduling normal)");
    }

    [Fact]
    public async Task APolicyTheOperatorChoseIsKept()
    {
        int port = WsgiHostProcess.FreePort();
        string conf = Path.Combine(_dir, "site.conf");
        File.WriteAllText(conf, $"Listen 127.0.0.1:{port}\nLogLevel info\nWSGIScriptAlias / {WsgiHostProcess.App("gateway.wsgi")}\n");
        await using var host = await WsgiHostProcess.RunThroughAsync("chrt", conf, port, "--idle", "0");

        using var response = await host.Client.GetAsync("/pid");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([SchedIdle], Policies(host.Pid));
        await host.WaitForLogAsync("CPU scheduling: SCHED_IDLE (as started; WsgiHost keeps a policy it did not choose).");
    }

    [Fact]
    public async Task AnUnknownPolicyIsAUsageError()
    {
        var (code, _, error) = await WsgiHostProcess.RunToEndAsync("serve", WsgiHostProcess.App("gateway.wsgi"), "--cpu-scheduling", "fast");

        Assert.Equal(2, code);
        Assert.Contains("--cpu-scheduling takes 'batch' (the default) or 'normal', got 'fast'", error);
    }

    /// <summary>The distinct scheduling policies of the process's threads (from /proc/PID/task/TID/sched).</summary>
    private static int[] Policies(int pid) =>
        [.. Directory.EnumerateDirectories($"/proc/{pid}/task").Select(Policy).OfType<int>().Distinct().Order()];

    /// <summary>A thread's policy; null when it ended while being read (an idle pool thread retiring).</summary>
    private static int? Policy(string task)
    {
        try
        {
            string line = File.ReadLines(Path.Combine(task, "sched")).First(l => l.StartsWith("policy", StringComparison.Ordinal));
            return int.Parse(line[(line.IndexOf(':') + 1)..].Trim(), CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
