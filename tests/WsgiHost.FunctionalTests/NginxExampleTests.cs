using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// examples/nginx: two `wsgihost run` instances behind nginx, rolled one after the other by
/// roll.sh while clients keep sending requests through nginx. No request may fail.
/// </summary>
[Collection(HeavyCollection.Name)]
public sealed class NginxExampleTests
{
    private static readonly string s_example = Path.Combine(WsgiHostProcess.RepoRoot, "examples", "nginx");

    [NginxFact]
    public async Task RollingBothInstancesUnderTrafficFailsNoRequestAndTheAppSeesTheRealClient()
    {
        string state = Directory.CreateTempSubdirectory("wsgihost-nginx-test-").FullName;
        int nginxPort = WsgiHostProcess.FreePort();
        var env = new Dictionary<string, string>
        {
            ["STATE"] = state,
            ["NGINX_PORT"] = nginxPort.ToString(CultureInfo.InvariantCulture),
            ["PORT_1"] = WsgiHostProcess.FreePort().ToString(CultureInfo.InvariantCulture),
            ["PORT_2"] = WsgiHostProcess.FreePort().ToString(CultureInfo.InvariantCulture),
            ["WSGIHOST"] = Path.Combine(AppContext.BaseDirectory, "WsgiHost.Cli"),
            ["PYTHON"] = Pythons.Debian,
            ["PATH"] = $"{Environment.GetEnvironmentVariable("PATH")}:{Path.GetDirectoryName(NginxFactAttribute.Nginx)}",
        };
        using Process run = Script("run.sh", env);
        var output = new StringBuilder();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        run.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
            if (e.Data?.StartsWith("ready: ", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        run.ErrorDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
        };
        run.Exited += (_, _) => ready.TrySetResult();
        run.Start();
        run.BeginOutputReadLine();
        run.BeginErrorReadLine();
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(120));
            Assert.False(run.HasExited, $"run.sh ended:\n{output}");
            int[] before = [InstancePid(state, 1), InstancePid(state, 2)];

            using var traffic = new Traffic(nginxPort);
            await traffic.UntilServedByAsync(before);

            using Process roll = Script("roll.sh", env);
            roll.StartInfo.RedirectStandardOutput = true;
            roll.StartInfo.RedirectStandardError = true;
            roll.Start();
            Task<string> rollOutput = roll.StandardOutput.ReadToEndAsync();
            Task<string> rollError = roll.StandardError.ReadToEndAsync();
            await roll.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(180));
            Assert.True(roll.ExitCode == 0, $"roll.sh failed:\n{await rollOutput}{await rollError}");

            int[] after = [InstancePid(state, 1), InstancePid(state, 2)];
            Assert.Empty(before.Intersect(after));
            await traffic.UntilServedByAsync(after);
            IReadOnlyList<string> failures = await traffic.StopAsync();

            Assert.True(failures.Count == 0, $"{failures.Count} of {traffic.Requests} requests failed during the roll:\n{string.Join("\n", failures.Take(20))}\n" +
                $"roll.sh said:\n{await rollOutput}{await rollError}\nrun.sh said:\n{Snapshot(output)}");
            Assert.All(before.Concat(after), pid => Assert.True(traffic.ServedBy(pid) > 0));
            // nginx's X-Forwarded-For and X-Forwarded-Proto, trusted from 127.0.0.1: the app
            // sees the client nginx saw (a loop connects from 127.0.0.2), not nginx.
            Assert.Equal(["127.0.0.2 http"], traffic.ClientsSeenFromSecondLoopback);
        }
        finally
        {
            await StopAsync(run, state);
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private static Process Script(string name, IReadOnlyDictionary<string, string> env)
    {
        var psi = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(s_example, name));
        foreach (var (key, value) in env)
        {
            psi.Environment[key] = value;
        }
        return new Process { StartInfo = psi, EnableRaisingEvents = true };
    }

    private static int InstancePid(string state, int instance) =>
        int.Parse(File.ReadAllText(Path.Combine(state, $"instance-{instance}.pid")).Trim(), CultureInfo.InvariantCulture);

    /// <summary>SIGTERM to run.sh (it stops both instances and nginx); then, should anything be left, each process by the PID in its file.</summary>
    private static async Task StopAsync(Process run, string state)
    {
        if (!run.HasExited)
        {
            _ = Kill(run.Id, 15);
            try
            {
                await run.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            }
            catch (TimeoutException)
            {
            }
        }
        foreach (string file in new[] { "instance-1.pid", "instance-2.pid", "nginx.pid" }.Select(f => Path.Combine(state, f)).Where(File.Exists))
        {
            if (int.TryParse(File.ReadAllText(file).Trim(), CultureInfo.InvariantCulture, out int pid) && Kill(pid, 0) == 0)
            {
                _ = Kill(pid, 9);
            }
        }
        if (!run.HasExited)
        {
            run.Kill(entireProcessTree: true);
        }
        Directory.Delete(state, recursive: true);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);

    /// <summary>
    /// Clients sending requests through nginx in loops, each over its own kept-alive
    /// connection: GET and POST to / and /slow (requests running while an instance drains;
    /// nginx never sends a POST twice, so one lost on the way would fail), and GET from
    /// 127.0.0.2. Counts which worker process answered and every failure.
    /// </summary>
    private sealed class Traffic : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task[] _loops;
        private readonly Dictionary<int, int> _servedBy = [];
        private readonly List<string> _failures = [];
        private readonly HashSet<string> _secondLoopback = [];
        private int _requests;

        public Traffic(int port)
        {
            _loops =
            [
                Task.Run(() => LoopAsync(port, HttpMethod.Get, "/", null)),
                Task.Run(() => LoopAsync(port, HttpMethod.Post, "/", null)),
                Task.Run(() => LoopAsync(port, HttpMethod.Post, "/slow", null)),
                Task.Run(() => LoopAsync(port, HttpMethod.Get, "/slow", null)),
                Task.Run(() => LoopAsync(port, HttpMethod.Get, "/from-second-loopback", IPAddress.Parse("127.0.0.2"))),
            ];
        }

        public int Requests => Volatile.Read(ref _requests);

        public IReadOnlyCollection<string> ClientsSeenFromSecondLoopback
        {
            get
            {
                lock (_secondLoopback)
                {
                    return [.. _secondLoopback];
                }
            }
        }

        public int ServedBy(int pid)
        {
            lock (_servedBy)
            {
                return _servedBy.GetValueOrDefault(pid);
            }
        }

        /// <summary>Until each of these processes answered at least 5 requests (2 minutes at most).</summary>
        public async Task UntilServedByAsync(int[] pids)
        {
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (pids.Any(p => ServedBy(p) < 5))
            {
                Assert.True(DateTime.UtcNow < deadline, $"not every instance answered: {string.Join(", ", pids.Select(p => $"pid {p}: {ServedBy(p)}"))}");
                Assert.DoesNotContain(_loops, l => l.IsFaulted);
                await Task.Delay(100);
            }
        }

        public async Task<IReadOnlyList<string>> StopAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_loops);
            lock (_failures)
            {
                return [.. _failures];
            }
        }

        /// <summary>
        /// Sends once, and once more if no response headers came back (the kept-alive connection
        /// to nginx was closed first): roll.sh reloads nginx, whose old workers close their idle client
        /// connections, and a request can cross that close (RFC 9112 9.3.1; browsers resend).
        /// nginx had not read such a request, so no WsgiHost instance saw it; a request an
        /// instance lost would come back from nginx as a 502 and count as a failure.
        /// </summary>
        private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path)
        {
            for (int attempt = 1; ; attempt++)
            {
                using var request = new HttpRequestMessage(method, path);
                if (method == HttpMethod.Post)
                {
                    request.Content = new ByteArrayContent(new byte[5000]);
                }
                try
                {
                    // Up to the response headers only: a failure reading the body (a response
                    // cut short) is the caller's, never resent.
                    return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                }
                catch (HttpRequestException) when (attempt == 1)
                {
                    // No response at all: nginx answers a lost upstream request with 502, so
                    // only its own closed connection ends a request this way.
                }
            }
        }

        private async Task LoopAsync(int port, HttpMethod method, string path, IPAddress? from)
        {
            var handler = new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) };
            if (from != null)
            {
                handler.ConnectCallback = async (context, token) =>
                {
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    socket.Bind(new IPEndPoint(from, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, token);
                    return new NetworkStream(socket, ownsSocket: true);
                };
            }
            using var client = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
            while (!_stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref _requests);
                try
                {
                    // Not cancelled by _stop: a request once sent must complete.
                    using HttpResponseMessage response = await SendAsync(client, method, path);
                    string body = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        Fail($"{method} {path}: {(int)response.StatusCode} {body}");
                        continue;
                    }
                    using JsonDocument json = JsonDocument.Parse(body);
                    if (json.RootElement.GetProperty("received").GetInt32() != (method == HttpMethod.Post ? 5000 : 0))
                    {
                        Fail($"{method} {path}: the app received {json.RootElement.GetProperty("received")} bytes");
                    }
                    int pid = json.RootElement.GetProperty("pid").GetInt32();
                    lock (_servedBy)
                    {
                        _servedBy[pid] = _servedBy.GetValueOrDefault(pid) + 1;
                    }
                    if (from != null)
                    {
                        lock (_secondLoopback)
                        {
                            _secondLoopback.Add($"{json.RootElement.GetProperty("client").GetString()} {json.RootElement.GetProperty("scheme").GetString()}");
                        }
                    }
                }
                catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or JsonException)
                {
                    Fail($"{method} {path}: {e.GetType().Name}: {e.Message}");
                }
            }
        }

        private void Fail(string what)
        {
            lock (_failures)
            {
                _failures.Add($"{DateTime.UtcNow:HH:mm:ss.fff} {what}");
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _stop.Dispose();
        }
    }
}
