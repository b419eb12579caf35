using System.Globalization;
using System.Net.Sockets;
using WsgiHost.Daemon;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// What a daemon worker's application can reach: not another group's socket, not the server's
/// log files, and a worker serves only the server that started it.
/// </summary>
public sealed class IsolationTests
{
    private static async Task<int> PidAsync(WsgiHostProcess host, string mount) =>
        int.Parse(await host.Client.GetStringAsync(mount + "/pid"), CultureInfo.InvariantCulture);

    /// <summary>The Unix socket a worker listens on, from its command line (the server gives it --socket).</summary>
    private static string SocketOf(int pid)
    {
        string[] args = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
        return args[Array.IndexOf(args, "--socket") + 1];
    }

    [RootFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task AWorkerRunningAsAnotherUserCannotReachAnotherGroupOrTheServersLogs()
    {
        DirectoryInfo logs = Directory.CreateTempSubdirectory("wsgihost-isolation-");
        try
        {
            // A folder anyone may enter, like /var/log: the files' own permissions must keep the workers out.
            File.SetUnixFileMode(logs.FullName, (UnixFileMode)0b111_101_101);
            int port = WsgiHostProcess.FreePort();
            await using var host = await WsgiHostProcess.RunAsync(Path.Combine(WsgiHostProcess.TestAppsDirectory, "configs", "isolation.conf"), port,
                new Dictionary<string, string> { ["PORT"] = port.ToString(CultureInfo.InvariantCulture), ["LOGS"] = logs.FullName });
            Assert.Equal("65534", await host.Client.GetStringAsync("/a/uid"));
            Assert.Equal("33", await host.Client.GetStringAsync("/b/uid"));
            int a = await PidAsync(host, "/a");
            string socketA = SocketOf(a);
            string socketB = SocketOf(await PidAsync(host, "/b"));
            Assert.NotEqual(socketA, socketB);

            // Group A's app tries group B's worker, and its own: the socket folder is the server's alone.
            Assert.Equal("EACCES", await host.Client.GetStringAsync("/a/connect?" + socketB));
            Assert.Equal("EACCES", await host.Client.GetStringAsync("/b/connect?" + socketA));
            Assert.Equal("EACCES", await host.Client.GetStringAsync("/a/connect?" + socketA));
            // ... and the server's log files.
            string errorLog = Path.Combine(logs.FullName, "error.log");
            string accessLog = Path.Combine(logs.FullName, "access.log");
            Assert.Equal("EACCES", await host.Client.GetStringAsync("/a/open-for-write?" + errorLog));
            Assert.Equal("EACCES", await host.Client.GetStringAsync("/a/open-for-write?" + accessLog));
            Assert.Equal("opened", await host.Client.GetStringAsync("/a/open-for-write?/tmp/wsgihost-isolation-nobody-may-write"));   // the probe itself works
            File.Delete("/tmp/wsgihost-isolation-nobody-may-write");

            // logrotate: the log is renamed and SIGUSR1 sent. Worker A may not open the new file
            // itself, so it restarts and its successor (root until it switches) does.
            File.Move(errorLog, errorLog + ".1");
            host.SendSignal(10);
            // (The old worker says so in the file it still has open: the renamed one.)
            await WaitForFileAsync(errorLog + ".1", "worker restarts to reopen its log files", logs);
            int next = a;
            for (int i = 0; i < 200 && next == a; i++)
            {
                next = await PidAsync(host, "/a");
                await Task.Delay(50);
            }
            Assert.NotEqual(a, next);
            Assert.Equal("65534", await host.Client.GetStringAsync("/a/uid"));
            await WaitForFileAsync(errorLog, $"worker started (pid {next}", logs);
            await WaitForFileAsync(errorLog, $"Daemon process group 'a' worker 0 (pid {a}) exited with code {WsgiHost.Daemon.WorkerRestartReason.LogReopen.ExitCode()} (log-reopen)", logs);
            Assert.Equal(0, await host.StopAsync());
            // The server and both groups' workers wrote to the same files, every line whole (O_APPEND).
            string[] lines = [.. File.ReadAllLines(errorLog + ".1"), .. File.ReadAllLines(errorLog)];
            Assert.All(lines, line => Assert.Matches(@"^\[\w{3} \w{3} \d\d [\d:.]+ \d{4}\] \[\w+:\w+\] \[pid \d+\] ", line));
            Assert.DoesNotContain(lines, line => line.Contains("Unhandled exception", StringComparison.Ordinal));
        }
        finally
        {
            logs.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task AConnectionWithoutTheServersSecretIsRefusedAndLogged()
    {
        int port = WsgiHostProcess.FreePort();
        await using var host = await WsgiHostProcess.RunAsync(Path.Combine(WsgiHostProcess.TestAppsDirectory, "configs", "faults.conf"), port,
            new Dictionary<string, string> { ["PORT"] = port.ToString(CultureInfo.InvariantCulture) });
        int worker = await PidAsync(host, "/bystander");
        string socket = SocketOf(worker);
        string script = Path.Combine(WsgiHostProcess.TestAppsDirectory, "faults", "faults.wsgi");
        List<KeyValuePair<string, string>> request =
        [
            new("REQUEST_METHOD", "GET"), new("PATH_INFO", "/pid"), new("SCRIPT_NAME", "/bystander"), new("QUERY_STRING", ""),
            new(DaemonKeys.Script, script), new(DaemonKeys.ApplicationGroup, ""),
        ];
        // No secret at all, then a wrong one: each connection is closed without an answer.
        foreach (List<KeyValuePair<string, string>> frame in new[] { request, [.. request, new(DaemonKeys.Secret, new string('0', 64))] })
        {
            using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await client.ConnectAsync(new UnixDomainSocketEndPoint(socket));
            // The head and the end-of-body marker in one write: the worker closes right after reading the head.
            await client.SendAsync((byte[])[.. DaemonProtocol.EncodeRequest(frame), 0, 0, 0, 0]);
            byte[] answer = new byte[64];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            Assert.Equal(0, await client.ReceiveAsync(answer, SocketFlags.None, timeout.Token));
        }
        string refused = $"Daemon process group 'bystander': refused a connection from pid {Environment.ProcessId}, uid {Uid()}";
        await host.WaitForLogAsync(refused);
        for (int i = 0; i < 200 && host.ErrorLog.Split(refused).Length - 1 < 2; i++)
        {
            await Task.Delay(50);   // the log is written asynchronously
        }
        Assert.Equal(2, host.ErrorLog.Split(refused).Length - 1);
        Assert.Contains("its request did not carry this server's secret", host.ErrorLog);
        // The worker still serves the server, and nothing ran for the refused frames.
        Assert.Equal(worker, await PidAsync(host, "/bystander"));
        Assert.Equal(0, await host.StopAsync());
    }

    private static string Uid() =>
        System.Text.RegularExpressions.Regex.Match(File.ReadAllText("/proc/self/status"), @"Uid:\s+(\d+)").Groups[1].Value;

    private static async Task WaitForFileAsync(string path, string text, DirectoryInfo logs)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (!(File.Exists(path) && File.ReadAllText(path).Contains(text, StringComparison.Ordinal)))
        {
            Assert.True(sw.ElapsedMilliseconds < 30_000,
                $"'{text}' never appeared in {path}; the logs have:\n{string.Join("\n", logs.GetFiles().Select(f => f.Name + ":\n" + File.ReadAllText(f.FullName)))}");
            await Task.Delay(50);
        }
    }
}
