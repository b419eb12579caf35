using System.Diagnostics;
using System.Globalization;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// `--server-processes N`: N embedded server processes share the port (SO_REUSEPORT), each
/// with its own Python; the supervisor replaces one that dies and stops them all on SIGTERM.
/// </summary>
public sealed class ServerProcessesTests
{
    /// <summary>The PID of the process that answered, over a new connection each time (the kernel picks the process per connection).</summary>
    private static async Task<int> PidOverNewConnectionAsync(int port)
    {
        string response = await RawHttp.SendAsync(port, "GET /pid HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        Assert.Equal(200, RawHttp.StatusOf(response));
        return int.Parse(response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..], CultureInfo.InvariantCulture);
    }

    private static async Task<HashSet<int>> PidsSeenAsync(int port, int want, int attempts = 400)
    {
        var seen = new HashSet<int>();
        for (int i = 0; i < attempts && seen.Count < want; i++)
        {
            seen.Add(await PidOverNewConnectionAsync(port));
        }
        return seen;
    }

    [Fact]
    public async Task TwoServerProcessesShareThePortEachWithItsOwnPython()
    {
        await using var host = await WsgiHostProcess.StartAsync(WsgiHostProcess.App("gateway.wsgi"), "--threads", "2", "--server-processes", "2");
        Assert.Contains("; 2 server processes (pids ", host.Output, StringComparison.Ordinal);

        HashSet<int> pids = await PidsSeenAsync(host.Port, 2);
        Assert.Equal(2, pids.Count);
        Assert.All(pids, pid => Assert.Equal(host.Pid, ProcFs.ParentOf(pid)));
        Assert.DoesNotContain(host.Pid, pids);

        using var environ = await host.Client.GetAsync("/environ");
        using var json = System.Text.Json.JsonDocument.Parse(await environ.Content.ReadAsStringAsync());
        Assert.Equal("True", json.RootElement.GetProperty("wsgi.multiprocess").GetProperty("repr").GetString());
        // The supervisor's plumbing is not the app's business.
        using var variable = await host.Client.GetAsync("/os-environ?WSGIHOST_SERVER_PROCESS");
        Assert.Equal("{\"value\": null}", await variable.Content.ReadAsStringAsync());

        await AssertStopsCleanlyAsync(host);
        Assert.All(pids, pid => Assert.False(Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal), $"server process {pid} outlived SIGTERM"));
        Assert.Equal(1, host.Output.Split('\n').Count(l => l.Trim() == "WsgiHost stopping"));
    }

    /// <summary>
    /// The native wsgihost replaces itself with wsgihost-supervisor, the small program next to
    /// it (a fraction of a server's memory), keeping its PID for whoever started it; the
    /// servers are wsgihost again. The assembly run by dotnet supervises in its own process.
    /// </summary>
    [Fact]
    public async Task TheNativeServerBecomesTheSmallSupervisorProgramKeepingItsPid()
    {
        await using var host = await WsgiHostProcess.StartAsync(WsgiHostProcess.App("gateway.wsgi"), "--threads", "2", "--server-processes", "2");
        HashSet<int> servers = await PidsSeenAsync(host.Port, 2);
        Assert.Equal(2, servers.Count);
        Assert.All(servers, pid => Assert.Equal(host.Pid, ProcFs.ParentOf(pid)));
        if (WsgiHostProcess.NativeCli is { } native)
        {
            Assert.Equal(WsgiHostProcess.NativeSibling(native, "wsgihost-supervisor"), ProcFs.ProgramOf(host.Pid));
            Assert.All(servers, pid => Assert.Equal(File.ResolveLinkTarget(native, true)?.FullName ?? native, ProcFs.ProgramOf(pid)));
        }
        else
        {
            Assert.All(servers, pid => Assert.Equal(ProcFs.ProgramOf(host.Pid), ProcFs.ProgramOf(pid)));
        }
        await AssertStopsCleanlyAsync(host);
    }

    [Fact]
    public async Task TheSupervisorProgramRunAloneSaysWhoStartsIt()
    {
        var (exit, _, error) = await WsgiHostProcess.RunSiblingToEndAsync("wsgihost-supervisor", "wsgihost-supervisor.dll", "/no/such/wsgihost", "0", "serve");
        Assert.Equal(2, exit);
        Assert.Contains("started by wsgihost: run 'wsgihost serve APP.wsgi --server-processes N'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AServerProcessThatDiesIsReplacedWhileTheOtherKeepsServing()
    {
        await using var host = await WsgiHostProcess.StartAsync(WsgiHostProcess.App("gateway.wsgi"), "--threads", "2", "--server-processes", "2");
        HashSet<int> before = await PidsSeenAsync(host.Port, 2);
        Assert.Equal(2, before.Count);
        int victim = before.First();
        Process.GetProcessById(victim).Kill();
        await host.WaitForLogAsync($"Server process");
        await host.WaitForLogAsync($"(pid {victim}) was killed by signal 9; starting a new one");

        // Every request made meanwhile is answered, by the survivor or the replacement.
        for (int i = 0; i < 20; i++)
        {
            Assert.NotEqual(victim, await PidOverNewConnectionAsync(host.Port));
        }
        await host.WaitForLogAsync("is serving again", timeoutMs: 60_000);
        HashSet<int> after = await PidsSeenAsync(host.Port, 2);
        Assert.Equal(2, after.Count);
        Assert.DoesNotContain(victim, after);
        await AssertStopsCleanlyAsync(host);
    }

    [Fact]
    public async Task OneServerProcessRunsTheAppEmbeddedAsMoreDo()
    {
        // --server-processes N is the embedded mode in N processes, 1 included: not serve's daemon
        // default; under a supervisor, as more are, so that SIGHUP can replace it.
        await using var host = await WsgiHostProcess.StartAsync(WsgiHostProcess.App("gateway.wsgi"), "--threads", "2", "--server-processes", "1");
        Assert.Contains("mode:   embedded", host.Output);
        Assert.Contains("; 1 server processes (pids ", host.Output, StringComparison.Ordinal);
        int server = await host.AppPidAsync();
        Assert.NotEqual(host.Pid, server);
        Assert.Equal(host.Pid, ProcFs.ParentOf(server));
        using var environ = await host.Client.GetAsync("/environ");
        using var json = System.Text.Json.JsonDocument.Parse(await environ.Content.ReadAsStringAsync());
        Assert.Equal("False", json.RootElement.GetProperty("wsgi.multiprocess").GetProperty("repr").GetString());
        await AssertStopsCleanlyAsync(host);
    }

    [Fact]
    public async Task ServerProcessesWhoseSupervisorIsKilledOutrightStopThemselves()
    {
        // SIGKILL (or the OOM killer) gives the supervisor no chance to stop them: they would go
        // on answering on the shared port beside the next server.
        await using var host = await WsgiHostProcess.StartAsync(WsgiHostProcess.App("gateway.wsgi"), "--threads", "2", "--server-processes", "2");
        HashSet<int> children = await PidsSeenAsync(host.Port, 2);
        Assert.Equal(2, children.Count);
        Process.GetProcessById(host.Pid).Kill();
        await WaitGoneAsync(children);
    }

    /// <summary>Waits up to 15 s for every one of <paramref name="pids"/> to have exited.</summary>
    internal static async Task WaitGoneAsync(IEnumerable<int> pids)
    {
        var sw = Stopwatch.StartNew();
        while (pids.Any(Alive) && sw.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(100);
        }
        Assert.False(pids.Any(Alive), $"still running: {string.Join(", ", pids.Where(Alive))}");

        static bool Alive(int pid)
        {
            try
            {
                using var p = Process.GetProcessById(pid);
                return !p.HasExited;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }
    }

    [Fact]
    public async Task DaemonGroupsAreRefusedWithTheReason()
    {
        var (exit, output, error) = await WsgiHostProcess.RunToEndAsync("run", Path.Combine(WsgiHostProcess.TestAppsDirectory, "configs", "daemon.conf"),
            "-D", $"PORT={WsgiHostProcess.FreePort()}", "--python", Pythons.Debian, "--server-processes", "2");
        Assert.Equal(1, exit);
        // Said once, by the supervisor, before any server process starts.
        Assert.Single(error.Split('\n'), l => l.Contains("--server-processes cannot be used with WSGIDaemonProcess groups ('shop', ", StringComparison.Ordinal));
        Assert.Contains("give the group processes= instead", error, StringComparison.Ordinal);
        Assert.DoesNotContain("mode:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingScriptIsReportedOnceAndNoServerProcessStarts()
    {
        var (exit, output, error) = await WsgiHostProcess.RunToEndAsync("serve", "/nonexistent/app.wsgi", "--server-processes", "3");
        Assert.Equal(2, exit);
        Assert.Single(error.Split('\n'), l => l.Contains("WSGI script '/nonexistent/app.wsgi' does not exist", StringComparison.Ordinal));
        Assert.DoesNotContain("Initializing Python", error, StringComparison.Ordinal);
        Assert.Equal("", output);
    }

    [Fact]
    public async Task AConfigurationsErrorsArePrintedOnceAndItsWarningsOnce()
    {
        string dir = Directory.CreateTempSubdirectory("wsgihost-procs-").FullName;
        try
        {
            int port = WsgiHostProcess.FreePort();
            string app = WsgiHostProcess.App("gateway.wsgi");
            string broken = Path.Combine(dir, "broken.conf");
            File.WriteAllText(broken, $"Listen 127.0.0.1:{port}\nWSGIScriptAlias / {app}\nWSGIFrobnicate On\n");
            var (exit, _, error) = await WsgiHostProcess.RunToEndAsync("run", broken, "--server-processes", "2");
            Assert.Equal(1, exit);
            Assert.Single(error.Split('\n'), l => l.Contains("broken.conf:3: error:", StringComparison.Ordinal));
            Assert.Single(error.Split('\n'), l => l.Contains("not started, fix the errors above", StringComparison.Ordinal));
            Assert.DoesNotContain("Initializing Python", error, StringComparison.Ordinal);

            // A warning (a script that does not exist yet) from one server, not from each process.
            string warned = Path.Combine(dir, "warned.conf");
            File.WriteAllText(warned, $"Listen 127.0.0.1:{port}\nWSGIScriptAlias /later {dir}/later.wsgi\nWSGIScriptAlias / {app}\n");
            await using var host = await WsgiHostProcess.RunAsync(warned, port, new Dictionary<string, string>(), "--server-processes", "2");
            await host.WaitForLogAsync("warning:");
            await host.WaitForOutputAsync("2 server processes");
            await Task.Delay(500);
            Assert.Single(host.ErrorLog.Split('\n'), l => l.Contains("later.wsgi' does not exist", StringComparison.Ordinal));
            await AssertStopsCleanlyAsync(host);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("x")]
    [InlineData("65")]
    public async Task ABadCountIsAUsageError(string count)
    {
        var (exit, _, error) = await WsgiHostProcess.RunToEndAsync("serve", WsgiHostProcess.App("gateway.wsgi"), "--server-processes", count);
        Assert.Equal(2, exit);
        Assert.Contains("--server-processes needs a whole number from 1 to 64", error, StringComparison.Ordinal);
    }

    /// <summary>The supervisor exits 0 on SIGTERM; if not, the assertion shows its log, which names the server process that did not stop cleanly.</summary>
    internal static async Task AssertStopsCleanlyAsync(WsgiHostProcess host)
    {
        int exit = await host.StopAsync();
        Assert.True(exit == 0, $"exit code {exit}; error log:\n{host.ErrorLog}");
    }
}
