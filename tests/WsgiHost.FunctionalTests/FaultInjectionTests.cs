using System.Diagnostics;
using System.Globalization;
using System.Net;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// Real faults in real worker processes (tests/apps/configs/faults.conf): each fails only the
/// request that caused it, with the status mod_wsgi gives, a log line that names the cause,
/// a group that serves again, and another daemon group and an embedded app that answer every
/// request throughout.
/// </summary>
public sealed class FaultInjectionTests
{
    private static async Task<WsgiHostProcess> RunAsync()
    {
        int port = WsgiHostProcess.FreePort();
        return await WsgiHostProcess.RunAsync(Path.Combine(WsgiHostProcess.TestAppsDirectory, "configs", "faults.conf"), port,
            new Dictionary<string, string> { ["PORT"] = port.ToString(CultureInfo.InvariantCulture) });
    }

    private static async Task<int> PidAsync(WsgiHostProcess host, string mount) =>
        int.Parse(await host.Client.GetStringAsync(mount + "/pid"), CultureInfo.InvariantCulture);

    [Fact]
    public Task AWorkerKilledMidRequestFailsOnlyThatRequestWith502() =>
        FaultAsync("/crashy/sleep?30", Status(HttpStatusCode.BadGateway), replaced: true,
            inject: async (host, pid) =>
            {
                // Kill it once the request is running in it.
                await host.WaitForLogAsync($"sleeping in pid {pid}", 20_000);
                Process.GetProcessById(pid).Kill();   // SIGKILL
            },
            "was killed by signal 9 (SIGKILL", "while serving GET /crashy/sleep?30 (WSGI script ",
            "GET /crashy/sleep?30 (WSGI script '", "closed the connection before answering: the worker was killed by signal 9");

    [Fact]
    public Task ASegfaultingAppKillsOnlyItsWorkerAndGets502() =>
        FaultAsync("/crashy/segfault", Status(HttpStatusCode.BadGateway), replaced: true, inject: null,
            "was killed by signal 11 (SIGSEGV: a crash in native code", "while serving GET /crashy/segfault (WSGI script ",
            "start the server with PYTHONFAULTHANDLER=1 to get the Python stack of the crash",
            "closed the connection before answering: the worker was killed by signal 11 (SIGSEGV");

    [Fact]
    public async Task ACrashedRequestRanOnceAndIsNotSentToAnotherWorker()
    {
        // A request without a body is taken with its response, not before it: a worker that
        // dies before answering may have run it, so it is answered 502 and never run again.
        await using var host = await RunAsync();
        using (HttpResponseMessage crashed = await host.Client.GetAsync("/crashy/segfault"))
        {
            Assert.Equal(HttpStatusCode.BadGateway, crashed.StatusCode);
        }
        await host.WaitForLogAsync("closed the connection before answering: the worker was killed by signal 11");
        // The replacement serves; had the request been sent to it, it would have crashed too.
        await PidAsync(host, "/crashy");
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(host.ErrorLog, "segfaulting in pid"));
    }

    [Fact]
    public Task ASegfaultAfterTheResponseStartedGivesAnIncompleteResponse() =>
        FaultAsync("/crashy/segfault-mid-stream", async response =>
        {
            // The status and the first chunk were sent: the client must see the body cut short, never a clean end.
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => response.Content.ReadAsStringAsync());
        }, replaced: true, inject: null,
            "was killed by signal 11 (SIGSEGV", "while serving GET /crashy/segfault-mid-stream",
            "stopped in the middle of the response (the worker was killed by signal 11 (SIGSEGV");

    [Fact]
    public Task AnAllocationPastMemoryLimitGets500AndTheLogNamesTheLimit() =>
        // RLIMIT_DATA refuses the allocation: Python raises MemoryError, the worker lives on.
        FaultAsync("/crashy/allocate?2048", Status(HttpStatusCode.InternalServerError), replaced: false, inject: null,
            "MemoryError", "The MemoryError came from the memory-limit=536870912 bytes of WSGIDaemonProcess 'crashy'", "Raise the limit");

    [Fact]
    public Task AGilHeldPastDeadlockTimeoutEndsTheWorkerAndGets502() =>
        FaultAsync("/stuck/hold-gil?30", Status(HttpStatusCode.BadGateway), replaced: true, inject: null,
            "the GIL was not released for deadlock-timeout=2 s", $"exited with code {WsgiHost.Daemon.WorkerRestartReasons.DeadlockExitCode} (deadlock-timeout)",
            "while serving GET /stuck/hold-gil?30");

    [Fact]
    public Task ARequestPastRequestTimeoutGets504AndItsWorkerIsRecycled() =>
        FaultAsync("/slow/sleep?30", Status(HttpStatusCode.GatewayTimeout), replaced: true, inject: null,
            "GET /slow/sleep?30 (WSGI script '", "Timeout when reading response headers from daemon process 'slow' (request-timeout=5 s, 8 s with 2 threads: request-timeout × (1 + ln threads), as mod_wsgi 6); recycling worker 0");

    /// <summary>
    /// Sends <paramref name="faultPath"/> (and runs <paramref name="inject"/> with the faulty
    /// worker's pid while it is in flight) as other groups are hammered; checks the response
    /// with <paramref name="check"/>, the log lines, recovery, and that no other request failed.
    /// </summary>
    private static Func<HttpResponseMessage, Task> Status(HttpStatusCode status) => response =>
    {
        Assert.Equal(status, response.StatusCode);
        return Task.CompletedTask;
    };

    private static async Task FaultAsync(string faultPath, Func<HttpResponseMessage, Task> check, bool replaced, Func<WsgiHostProcess, int, Task>? inject, params string[] logLines)
    {
        await using var host = await RunAsync();
        string mount = faultPath[..faultPath.IndexOf('/', 1)];
        int faulty = await PidAsync(host, mount);
        int bystander = await PidAsync(host, "/bystander");
        Assert.Equal(host.Pid, await PidAsync(host, "/embedded"));

        using var stop = new CancellationTokenSource();
        Task<List<string>>[] others = [Hammer(host, "/bystander/", "hello from bystander", stop.Token), Hammer(host, "/embedded/", "hello from embedded", stop.Token)];

        Task<HttpResponseMessage> fault = host.Client.GetAsync(faultPath, HttpCompletionOption.ResponseHeadersRead);
        if (inject != null)
        {
            await inject(host, faulty);
        }
        using (HttpResponseMessage failed = await fault)
        {
            await check(failed);
        }
        foreach (string line in logLines)
        {
            await host.WaitForLogAsync(line, 20_000);
        }
        // The group serves again: a new worker when the old one died.
        using (HttpResponseMessage next = await host.Client.GetAsync(mount + "/"))
        {
            Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        }
        int after = await PidAsync(host, mount);
        if (replaced)
        {
            Assert.NotEqual(faulty, after);
        }
        else
        {
            Assert.Equal(faulty, after);
        }
        // Keep the others busy a little past recovery, then look at every answer they got.
        await Task.Delay(500);
        await stop.CancelAsync();
        foreach (Task<List<string>> other in others)
        {
            List<string> answers = await other;
            Assert.NotEmpty(answers);
            Assert.All(answers, a => Assert.Equal("200 ok", a));
        }
        Assert.Equal(bystander, await PidAsync(host, "/bystander"));
        Assert.Equal(host.Pid, await PidAsync(host, "/embedded"));
        Assert.Equal(0, await host.StopAsync());
    }

    /// <summary>Requests <paramref name="path"/> back to back until stopped; one entry per answer ("200 ok", or what went wrong).</summary>
    private static Task<List<string>> Hammer(WsgiHostProcess host, string path, string expected, CancellationToken stop) => Task.Run(async () =>
    {
        var answers = new List<string>();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using HttpResponseMessage r = await host.Client.GetAsync(path, CancellationToken.None);
                string body = await r.Content.ReadAsStringAsync(CancellationToken.None);
                answers.Add(r.StatusCode == HttpStatusCode.OK && body == expected ? "200 ok" : $"{(int)r.StatusCode} {body}");
            }
            catch (HttpRequestException e)
            {
                answers.Add($"failed: {e.Message}");
            }
            await Task.Delay(20, CancellationToken.None);
        }
        return answers;
    });
}
