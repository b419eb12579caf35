using System.Globalization;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// Apache's User and Group for the server itself (tests/apps/configs/server-user.conf): started
/// as root, it binds its port and opens its logs, then runs as User, as Apache's children do;
/// its embedded applications and its daemon workers (a recycled one too) run as User.
/// </summary>
public sealed class ServerIdentityTests : IDisposable
{
    private readonly string _logs = Directory.CreateTempSubdirectory("wsgihost-root-logs-").FullName;

    public void Dispose() => Directory.Delete(_logs, recursive: true);

    [RootFact]
    public async Task StartedAsRootTheServerBecomesUserOnceItsPortAndLogsAreOpen()
    {
        int port = WsgiHostProcess.FreePort();
        await using var host = await WsgiHostProcess.RunAsync(Path.Combine(WsgiHostProcess.TestAppsDirectory, "configs", "server-user.conf"), port,
            new Dictionary<string, string> { ["PORT"] = port.ToString(CultureInfo.InvariantCulture), ["LOGS"] = _logs });

        await host.WaitForLogAsync("Server process now runs as User nobody (uid 65534 gid 65534)");
        Assert.Equal(65534, Uid(host.Pid));
        // It opened its page map as root, so as nobody it still drops what only startup used.
        string started = await host.WaitForLogLineAsync($"[pid {host.Pid}] Started: dropped ");
        Assert.DoesNotContain("dropped 0.0 MB", started);
        // WSGIImportScript imported the script as nobody too, in the server process.
        Assert.Equal($"65534 65534 {host.Pid}", await host.Client.GetStringAsync("/embedded"));

        string[] first = (await host.Client.GetStringAsync("/daemon")).Split(' ');
        int worker = int.Parse(first[2], CultureInfo.InvariantCulture);
        Assert.Equal(["65534", "65534"], first[..2]);
        Assert.Equal(65534, Uid(worker));
        string workerStarted = await host.WaitForLogLineAsync($"[pid {worker}] Started: dropped ");
        Assert.DoesNotContain("dropped 0.0 MB", workerStarted);
        // maximum-requests=2: the next worker is started by the server as it is now, nobody.
        var later = new List<string>();
        for (int i = 0; i < 4; i++)
        {
            later.Add(await host.Client.GetStringAsync("/daemon"));
        }
        string[] last = later[^1].Split(' ');
        Assert.NotEqual(worker, int.Parse(last[2], CultureInfo.InvariantCulture));
        Assert.Equal(["65534", "65534"], last[..2]);

        // The access log folder is root's alone: SIGUSR1 cannot reopen it as nobody, says so,
        // and the server keeps writing to the file it opened as root.
        host.SendSignal(10);
        await host.WaitForLogAsync("SIGUSR1: cannot reopen " + Path.Combine(_logs, "access.log"));
        Assert.Equal(200, (int)(await host.Client.GetAsync("/embedded?after-sigusr1")).StatusCode);
        Assert.Equal(0, await host.StopAsync());
        string[] logged = File.ReadAllLines(Path.Combine(_logs, "access.log"));
        Assert.Equal("/embedded 200", logged[^1]);
        Assert.Equal(5, logged.Count(l => l == "/daemon 200"));
    }

    /// <summary>
    /// Python aborts the whole process when a new interpreter cannot read its standard library,
    /// which would happen at a first request once the server is User: it does not start at all.
    /// </summary>
    [RootOnlyPythonFact]
    public async Task APythonThatUserCannotReadIsRefusedAtStartup()
    {
        int port = WsgiHostProcess.FreePort();
        var (code, _, error) = await WsgiHostProcess.RunToEndAsync("run", Path.Combine(WsgiHostProcess.TestAppsDirectory, "configs", "server-user.conf"),
            "-D", $"PORT={port}", "-D", $"LOGS={_logs}", "--python", RootOnlyPythonFactAttribute.Python!);

        Assert.Equal(1, code);
        Assert.Contains("wsgihost: cannot start: User nobody cannot read /", error);
        Assert.Contains("the server runs as nobody once started, and Python 3.", error);
    }

    private static int Uid(int pid) =>
        int.Parse(File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
