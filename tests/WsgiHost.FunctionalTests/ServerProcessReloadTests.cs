using System.Diagnostics;
using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// SIGHUP to a site of `--server-processes N`: as Apache's graceful restart gives embedded
/// mod_wsgi new children, each server process is replaced by a new one that loads the
/// configuration and the application's modules anew, and the listening sockets, which the
/// supervisor holds, pass from the old process to the new one without a refused or reset
/// connection.
/// </summary>
public sealed class ServerProcessReloadTests
{
    private const string AllReplaced = "SIGHUP: all 2 server process(es) replaced";

    /// <summary>The fixture app copied to a folder of its own, whose release.py a test may change.</summary>
    private sealed class AppCopy : IDisposable
    {
        public AppCopy()
        {
            Folder = Directory.CreateTempSubdirectory("wsgihost-reload-").FullName;
            foreach (string file in Directory.GetFiles(WsgiHostProcess.App("reloadable")))
            {
                File.Copy(file, Path.Combine(Folder, Path.GetFileName(file)));
            }
        }

        public string Folder { get; }

        public string Script => Path.Combine(Folder, "app.wsgi");

        public void SetRelease(string release) => WriteRelease($"RELEASE = \"{release}\"\n");

        /// <summary>Replaces release.py, the module the app imports.</summary>
        public void WriteRelease(string python) => File.WriteAllText(Path.Combine(Folder, "release.py"), python);

        public void Dispose() => Directory.Delete(Folder, recursive: true);
    }

    /// <summary>
    /// Clients that each send requests one after another until stopped, counting those
    /// answered and what went wrong with the others (a request returns null when answered as
    /// expected, else what it got).
    /// </summary>
    private sealed class ClientLoad
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly List<string> _failures = [];
        private readonly Task[] _clients;
        private int _answered;

        public ClientLoad(int clients, Func<Task<string?>> request) =>
            _clients = [.. Enumerable.Range(0, clients).Select(_ => RunAsync(request))];

        private async Task RunAsync(Func<Task<string?>> request)
        {
            while (!_stop.IsCancellationRequested)
            {
                string? failure;
                try
                {
                    failure = await request();
                }
                catch (Exception e) when (e is IOException or SocketException or System.Security.Authentication.AuthenticationException)
                {
                    failure = e.Message;
                }
                lock (_failures)
                {
                    _answered++;
                    if (failure != null)
                    {
                        _failures.Add(failure);
                    }
                }
            }
        }

        /// <summary>Stops the clients; asserts that no request failed and that there were at least <paramref name="atLeast"/>.</summary>
        public async Task StopAndAssertNoFailureAsync(int atLeast, string during)
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_clients);
            _stop.Dispose();
            Assert.True(_failures.Count == 0, $"{_failures.Count} of {_answered} requests failed {during}: {string.Join("; ", _failures.Distinct().Take(5))}");
            Assert.True(_answered >= atLeast, $"only {_answered} requests {during}");
        }
    }

    /// <summary>GET over a new connection (the kernel picks the server process per connection): the status and body.</summary>
    private static async Task<(int Status, string Body)> GetOverNewConnectionAsync(int port, string target)
    {
        string response = await RawHttp.SendAsync(port, $"GET {target} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        int body = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return (RawHttp.StatusOf(response), body < 0 ? "" : response[(body + 4)..]);
    }

    private static async Task<HashSet<string>> BodiesSeenAsync(int port, int connections)
    {
        var seen = new HashSet<string>();
        for (int i = 0; i < connections; i++)
        {
            seen.Add((await GetOverNewConnectionAsync(port, "/")).Body);
        }
        return seen;
    }

    [Theory]
    [InlineData(2)]
    [InlineData(1)]
    public async Task SighupReplacesEachServerProcessWithTheNewCodeWithoutAFailedRequest(int processes)
    {
        using var app = new AppCopy();
        // GracefulShutdownTimeout bounds a stop of the site, not a replaced process's requests.
        await using var host = await WsgiHostProcess.StartAsync(app.Script, "--threads", "4", "--server-processes", processes.ToString(CultureInfo.InvariantCulture),
            "--graceful-shutdown-timeout", "1");
        HashSet<string> before = await BodiesSeenAsync(host.Port, 200);
        Assert.Equal(processes, before.Count);
        Assert.All(before, b => Assert.StartsWith("release 1 pid ", b, StringComparison.Ordinal));

        // Requests over new connections all through the reload, and one that is running as it
        // starts: every one answered, by the old processes or the new.
        var load = new ClientLoad(16, async () =>
        {
            var (status, body) = await GetOverNewConnectionAsync(host.Port, "/");
            return status == 200 && body.StartsWith("release ", StringComparison.Ordinal) ? null : $"{status} {body}";
        });
        Task<(int Status, string Body)> running = GetOverNewConnectionAsync(host.Port, "/slow?3");
        await Task.Delay(300);
        app.SetRelease("2");
        host.SendSignal(1);
        await host.WaitForLogAsync($"SIGHUP: all {processes} server process(es) replaced", timeoutMs: 60_000);
        await Task.Delay(500);
        await load.StopAndAssertNoFailureAsync(100, "during the reload");
        Assert.Equal((200, "slow 1"), await running);

        HashSet<string> after = await BodiesSeenAsync(host.Port, 200);
        Assert.Equal(processes, after.Count);
        Assert.All(after, b => Assert.StartsWith("release 2 pid ", b, StringComparison.Ordinal));
        int[] oldPids = PidsOf(before);
        await ServerProcessesTests.WaitGoneAsync(oldPids);
        Assert.Contains("finished its requests and exited", host.ErrorLog, StringComparison.Ordinal);
        Assert.All(after, b => Assert.Equal(host.Pid, ProcFs.ParentOf(int.Parse(b.Split(' ')[^1], CultureInfo.InvariantCulture))));
        await ServerProcessesTests.AssertStopsCleanlyAsync(host);
        Assert.Equal(1, host.Output.Split('\n').Count(l => l.Trim() == "WsgiHost stopping"));
    }

    /// <summary>
    /// A client that opens a TLS connection per request, through two reloads: a connection the
    /// old process accepted just before it was replaced is served, not closed unanswered while
    /// its handshake or request is on the way (QA: a few in a thousand failed so).
    /// </summary>
    [Fact]
    public async Task AClientOpeningATlsConnectionPerRequestSeesNoFailureThroughReloads()
    {
        using var app = new AppCopy();
        int port = WsgiHostProcess.FreePort();
        var (certificate, key) = TestCertificate.Write(app.Folder, "site", "a.test");
        string config = Path.Combine(app.Folder, "site.conf");
        File.WriteAllText(config, $"""
            Listen 127.0.0.1:{port}
            <VirtualHost *:{port}>
                ServerName a.test
                SSLEngine on
                SSLCertificateFile {certificate}
                SSLCertificateKeyFile {key}
                WSGIScriptAlias / {app.Script}
            </VirtualHost>
            """);
        await using var host = await WsgiHostProcess.RunAsync(config, port, new Dictionary<string, string>(), "--server-processes", "2");
        var load = new ClientLoad(8, async () =>
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port);
            using var tls = new SslStream(client.GetStream(), false, (_, _, _, _) => true);
            await tls.AuthenticateAsClientAsync("a.test");
            await tls.WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n"));
            string response = Encoding.Latin1.GetString(await ReadAllAsync(tls));
            return RawHttp.StatusOf(response) == 200 ? null : response.Length == 0 ? "closed with no response" : response.Split('\n')[0];
        });
        for (int reload = 1; reload <= 2; reload++)
        {
            await Task.Delay(500);
            host.SendSignal(1);
            await WaitForCountAsync(host, AllReplaced, reload);
        }
        await Task.Delay(500);
        await load.StopAndAssertNoFailureAsync(100, "through the reloads");
        await ServerProcessesTests.AssertStopsCleanlyAsync(host);
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        var result = new MemoryStream();
        await stream.CopyToAsync(result);
        return result.ToArray();
    }

    private static async Task WaitForCountAsync(WsgiHostProcess host, string text, int count)
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        while (System.Text.RegularExpressions.Regex.Count(host.ErrorLog, System.Text.RegularExpressions.Regex.Escape(text)) < count)
        {
            Assert.True(DateTime.UtcNow < until, $"'{text}' not logged {count} times:\n{host.ErrorLog}");
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// The old process stops accepting without touching the socket it shared: .NET closes a
    /// listening socket with an accept pending abortively, setting SO_LINGER 0 on it, and every
    /// connection the new process accepted after that inherited it: a response still in the
    /// kernel's buffers when the server closed the connection was cut short by a reset.
    /// </summary>
    [Fact]
    public async Task AfterAReloadAResponseStillBufferedWhenTheServerClosesArrivesWhole()
    {
        using var app = new AppCopy();
        await using var host = await WsgiHostProcess.StartAsync(app.Script, "--threads", "4", "--server-processes", "2");
        host.SendSignal(1);
        await host.WaitForLogAsync(AllReplaced, timeoutMs: 60_000);
        // Both old processes have closed their sockets and gone.
        await host.WaitForLogAsync("The replaced server process 0 ");
        await host.WaitForLogAsync("The replaced server process 1 ");

        const int Mebibytes = 6;
        for (int i = 0; i < 4; i++)
        {
            using var client = new TcpClient();
            client.ReceiveBufferSize = 64 * 1024;
            await client.ConnectAsync("127.0.0.1", host.Port);
            using NetworkStream stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /big?{Mebibytes} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
            // The server writes and closes while most of the body is still on its way.
            await Task.Delay(1500);
            byte[] response = await RawHttp.ReadToEndAsync(stream, 20_000);
            int head = Encoding.Latin1.GetString(response, 0, Math.Min(response.Length, 1024)).IndexOf("\r\n\r\n", StringComparison.Ordinal);
            Assert.True(head > 0, "no response head");
            Assert.Equal(Mebibytes * 1024 * 1024, response.Length - head - 4);
        }
        await ServerProcessesTests.AssertStopsCleanlyAsync(host);
    }

    [Fact]
    public async Task AReloadWhoseNewProcessCannotStartLeavesTheOldOnesServing()
    {
        using var app = new AppCopy();
        await using var host = await WsgiHostProcess.StartAsync(app.Script, "--threads", "2", "--server-processes", "2");
        HashSet<string> before = await BodiesSeenAsync(host.Port, 100);
        Assert.Equal(2, before.Count);

        // The app no longer imports: serve loads it at startup, so the new process cannot start.
        app.WriteRelease("RELEASE = (\n");
        host.SendSignal(1);
        string log = await host.WaitForLogAsync("could not start (exit code 1; its error is above)", timeoutMs: 60_000);
        Assert.Contains("the others keep serving with the configuration and code they had", log, StringComparison.Ordinal);
        Assert.Contains("SyntaxError", log, StringComparison.Ordinal);
        Assert.Equal(before, await BodiesSeenAsync(host.Port, 100));

        // Fixed, and SIGHUP again: replaced.
        app.SetRelease("3");
        host.SendSignal(1);
        await host.WaitForLogAsync(AllReplaced, timeoutMs: 60_000);
        // Said as the old processes are told to go: they stop accepting a moment later, and serve
        // what they accepted meanwhile (CI: an old process answered one of the next requests).
        await ServerProcessesTests.WaitGoneAsync(PidsOf(before));
        HashSet<string> after = await BodiesSeenAsync(host.Port, 200);
        Assert.Equal(2, after.Count);
        Assert.All(after, b => Assert.StartsWith("release 3 pid ", b, StringComparison.Ordinal));
        await ServerProcessesTests.AssertStopsCleanlyAsync(host);
    }

    /// <summary>The server processes serving now (the supervisor's children), without those in <paramref name="known"/>.</summary>
    private static int[] NewChildren(WsgiHostProcess host, IEnumerable<int> known) =>
        [.. Process.GetProcesses().Select(p => p.Id).Where(pid => ProcFs.ParentOf(pid) == host.Pid).Except(known)];

    private static async Task<int> NewChildAsync(WsgiHostProcess host, IEnumerable<int> known)
    {
        for (int i = 0; i < 200; i++)
        {
            if (NewChildren(host, known) is [int pid, ..])
            {
                return pid;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException("no new server process started");
    }

    private static int[] PidsOf(IEnumerable<string> bodies) => [.. bodies.Select(b => int.Parse(b.Split(' ')[^1], CultureInfo.InvariantCulture))];

    /// <summary>
    /// An application that hangs as it loads: the old processes keep serving, another SIGHUP
    /// (after the fix) stops the hung new process and starts the reload over, and a new process
    /// killed as it starts is said to have been killed, not to have failed to load.
    /// </summary>
    [Fact]
    public async Task ANewProcessThatHangsOrIsKilledAsItStartsReplacesNothingAndASecondSighupStartsOver()
    {
        using var app = new AppCopy();
        await using var host = await WsgiHostProcess.StartAsync(app.Script, "--threads", "2", "--server-processes", "2");
        HashSet<string> before = await BodiesSeenAsync(host.Port, 100);
        Assert.Equal(2, before.Count);

        app.WriteRelease("import time\ntime.sleep(300)\nRELEASE = \"hung\"\n");
        host.SendSignal(1);
        int hung = await NewChildAsync(host, PidsOf(before));
        await Task.Delay(500);
        Assert.Equal(before, await BodiesSeenAsync(host.Port, 50));

        app.SetRelease("2");
        host.SendSignal(1);
        await host.WaitForLogAsync($"(pid {hung}) was still starting when another SIGHUP came: stopped, and the reload starts over");
        await host.WaitForLogAsync(AllReplaced, timeoutMs: 60_000);
        await ServerProcessesTests.WaitGoneAsync(PidsOf(before));
        HashSet<string> after = await BodiesSeenAsync(host.Port, 200);
        Assert.All(after, b => Assert.StartsWith("release 2 pid ", b, StringComparison.Ordinal));
        await ServerProcessesTests.WaitGoneAsync([hung, .. PidsOf(before)]);

        // Killed from outside as it starts: that is what the log says, and nothing is replaced.
        app.WriteRelease("import time\ntime.sleep(300)\n");
        host.SendSignal(1);
        int killed = await NewChildAsync(host, PidsOf(after));
        WsgiHostProcess.SendSignal(killed, 9);
        string log = await host.WaitForLogAsync($"(pid {killed}) was killed by signal 9 as it started");
        Assert.DoesNotContain($"(pid {killed}) could not start", log, StringComparison.Ordinal);
        Assert.Equal(after, await BodiesSeenAsync(host.Port, 100));
        await ServerProcessesTests.AssertStopsCleanlyAsync(host);
    }

    /// <summary>
    /// --drain is for a stop of the site (health check 503 while a load balancer takes it out):
    /// a process replaced on a reload does not drain, its successor already serving.
    /// </summary>
    [Fact]
    public async Task AReplacedProcessDoesNotDrainAsAStoppingSiteDoes()
    {
        using var app = new AppCopy();
        await using var host = await WsgiHostProcess.StartAsync(app.Script, "--threads", "2", "--server-processes", "1", "--drain", "8");
        int old = PidsOf(await BodiesSeenAsync(host.Port, 1))[0];
        host.SendSignal(1);
        // Within less than the 8 s a drain would take.
        await host.WaitForLogAsync($"The replaced server process 0 (pid {old}) finished its requests and exited", timeoutMs: 6_000);
        Assert.DoesNotContain("draining", host.ErrorLog, StringComparison.Ordinal);
        // The site's stop drains, as ever.
        Assert.Equal(0, await host.StopAsync(timeoutMs: 40_000));
        Assert.Contains("SIGTERM: draining for 8 s", host.ErrorLog, StringComparison.Ordinal);
    }

    /// <summary>SIGTERM while a reload's new process hangs loading its application: the server stops all the same, within seconds.</summary>
    [Fact]
    public async Task SigtermStopsTheServerWhileAReloadsNewProcessHangsLoading()
    {
        using var app = new AppCopy();
        await using var host = await WsgiHostProcess.StartAsync(app.Script, "--threads", "2", "--server-processes", "2");
        HashSet<string> before = await BodiesSeenAsync(host.Port, 100);
        app.WriteRelease("import time\ntime.sleep(300)\n");
        host.SendSignal(1);
        int hung = await NewChildAsync(host, PidsOf(before));
        await Task.Delay(500);
        var stopping = Stopwatch.StartNew();
        int exit = await host.StopAsync(timeoutMs: 15_000);
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(12), $"stopped after {stopping.Elapsed}");
        Assert.Contains($"(pid {hung}) was still starting 2 s after the signal to stop", host.ErrorLog, StringComparison.Ordinal);
        // The site stopped as asked: the one killed served nothing.
        Assert.Equal(0, exit);
        await ServerProcessesTests.WaitGoneAsync([hung, .. PidsOf(before)]);
    }

    /// <summary>
    /// `run`: the new processes read the configuration anew, Listen included: a port added is
    /// served, a port dropped is closed once no process listens there; the PidFile names the
    /// supervisor throughout and goes with it; the supervisor's lines go to the ErrorLog the
    /// server processes write to, as Apache's parent's do.
    /// </summary>
    [Fact]
    public async Task ARunReloadAppliesANewListenAndKeepsThePidFile()
    {
        using var app = new AppCopy();
        int first = WsgiHostProcess.FreePort();
        int second = WsgiHostProcess.FreePort();
        string config = Path.Combine(app.Folder, "site.conf");
        string pidFile = Path.Combine(app.Folder, "site.pid");
        string errorLog = Path.Combine(app.Folder, "error.log");
        string Site(params int[] ports) =>
            string.Concat(ports.Select(p => $"Listen 127.0.0.1:{p}\n")) + $"PidFile {pidFile}\nErrorLog {errorLog}\nWSGIScriptAlias / {app.Script}\n";
        async Task WaitForErrorLogAsync(string text)
        {
            for (int i = 0; i < 600 && !(File.Exists(errorLog) && File.ReadAllText(errorLog).Contains(text, StringComparison.Ordinal)); i++)
            {
                await Task.Delay(100);
            }
            Assert.Contains(text, File.ReadAllText(errorLog), StringComparison.Ordinal);
        }
        File.WriteAllText(config, Site(first, second));
        await using var host = await WsgiHostProcess.RunAsync(config, first, new Dictionary<string, string>(), "--server-processes", "2");
        Assert.Equal(200, (await GetOverNewConnectionAsync(second, "/")).Status);
        Assert.Equal($"{host.Pid}\n", File.ReadAllText(pidFile));

        File.WriteAllText(config, Site(first));
        app.SetRelease("2");
        host.SendSignal(1);
        await WaitForErrorLogAsync("SIGHUP: replacing the 2 server process(es) one at a time");
        await WaitForErrorLogAsync(AllReplaced);
        await WaitForErrorLogAsync($"Closed 2 listening socket(s) no server process listens on any more: 127.0.0.1:{second}.");
        Assert.DoesNotContain("SIGHUP", host.ErrorLog, StringComparison.Ordinal);
        Assert.StartsWith("release 2 ", (await GetOverNewConnectionAsync(first, "/")).Body, StringComparison.Ordinal);
        var refused = await Assert.ThrowsAsync<SocketException>(() => GetOverNewConnectionAsync(second, "/"));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        // The replaced process that wrote it left it: it names the supervisor, still running.
        await Task.Delay(1000);
        Assert.Equal($"{host.Pid}\n", File.ReadAllText(pidFile));

        await ServerProcessesTests.AssertStopsCleanlyAsync(host);
        Assert.False(File.Exists(pidFile), "the PidFile outlived the server");
    }
}
