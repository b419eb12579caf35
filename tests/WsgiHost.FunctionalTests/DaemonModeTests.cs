using System.Diagnostics;
using System.Net;
using System.Text.Json;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>WSGIDaemonProcess groups run in supervised worker processes fed over Unix sockets.</summary>
public sealed class DaemonModeTests
{
    private static Task<WsgiHostProcess> RunAsync(string config) => WsgiHostProcess.RunConfigAsync(config);

    private static bool Alive(int pid)
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

    /// <summary>
    /// The native server starts its workers as wsgihost-worker, the program published next to
    /// it that holds only what a worker runs; the assembly run by dotnet starts `wsgihost worker`.
    /// </summary>
    [Fact]
    public async Task TheNativeServersWorkersRunTheWorkerProgram()
    {
        await using var host = await RunAsync("daemon.conf");
        int pid = await host.AppPidAsync();
        Assert.Equal(host.Pid, ProcFs.ParentOf(pid));
        Assert.Equal(WsgiHostProcess.NativeCli is { } native ? WsgiHostProcess.NativeSibling(native, "wsgihost-worker") : ProcFs.ProgramOf(host.Pid), ProcFs.ProgramOf(pid));
        Assert.Equal("shop", JsonDocument.Parse(await host.Client.GetStringAsync("/environ")).RootElement.GetProperty("mod_wsgi.process_group").GetProperty("value").GetString());
        File.Delete(Path.Combine(Path.GetTempPath(), $"wsgihost-preload-{pid}.marker")); // daemon.conf's import script leaves it
    }

    [Fact]
    public async Task AWorkerStartedByHandSaysWhoStartsIt()
    {
        var (exit, _, error) = await WsgiHostProcess.RunSiblingToEndAsync("wsgihost-worker", "WsgiHost.Cli.dll", "worker", "--group", "g");
        Assert.Equal(2, exit);
        Assert.Contains("a daemon worker is started by the server, which gives it its secret", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppsOfTheGroupRunInAWorkerProcessWithTheGroupsEnviron()
    {
        // Markers are named by pid, and other tests' workers leave theirs behind: a pid used
        // again by this server or its worker must not pass for this run's (CI runs the tests twice).
        DateTime started = DateTime.UtcNow.AddSeconds(-1);
        await using var host = await RunAsync("daemon.conf");
        int pid = await host.AppPidAsync();
        Assert.NotEqual(host.Pid, pid);
        Assert.Contains($"mode:   every mount runs in a daemon group; the server's own Python (15 WSGI thread(s)) serves none of them (WSGIRestrictEmbedded On leaves it out); daemon groups: shop (1 x 3 threads, pids {pid})", host.Output);
        long before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
        var environ = JsonDocument.Parse(await host.Client.GetStringAsync("/environ?x=1")).RootElement;
        Assert.Equal("shop", environ.GetProperty("mod_wsgi.process_group").GetProperty("value").GetString());
        // When the request was handed to the group, in microseconds, as mod_wsgi's (APM agents read it as the time queued).
        long requested = long.Parse(environ.GetProperty("mod_wsgi.request_start").GetProperty("value").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        long queued = long.Parse(environ.GetProperty("mod_wsgi.queue_start").GetProperty("value").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(requested, before - 1000, queued);
        Assert.InRange(queued, requested, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000 + 1000);
        Assert.Equal("True", environ.GetProperty("wsgi.multiprocess").GetProperty("repr").GetString());   // processes= was given
        Assert.Equal("True", environ.GetProperty("wsgi.multithread").GetProperty("repr").GetString());
        Assert.Equal("x=1", environ.GetProperty("QUERY_STRING").GetProperty("value").GetString());
        // Reloading is on (a changed script restarts the worker), and the environ says so, as mod_wsgi's does.
        Assert.Equal("1", environ.GetProperty("mod_wsgi.script_reloading").GetProperty("value").GetString());
        // WSGIImportScript for the group ran in the worker before it served.
        string marker = Path.Combine(Path.GetTempPath(), $"wsgihost-preload-{pid}.marker");
        Assert.True(File.Exists(marker) && File.GetLastWriteTimeUtc(marker) >= started, "the group's import script did not run in its worker");
        File.Delete(marker);
        string serverMarker = Path.Combine(Path.GetTempPath(), $"wsgihost-preload-{host.Pid}.marker");
        Assert.False(File.Exists(serverMarker) && File.GetLastWriteTimeUtc(serverMarker) >= started, "the group's import script ran in the server process");
        // display-name=%{GROUP} and lang=.
        Assert.Equal("(wsgi:shop)", File.ReadAllText($"/proc/{pid}/comm").Trim());
        Assert.Equal("(wsgi:shop)", File.ReadAllText($"/proc/{pid}/cmdline").TrimEnd('\0'));
        var secret = JsonDocument.Parse(await host.Client.GetStringAsync("/os-environ?WSGIHOST_DAEMON_SECRET")).RootElement;
        Assert.Equal(JsonValueKind.Null, secret.GetProperty("value").ValueKind);   // the server's secret stays out of the app
        var lang = JsonDocument.Parse(await host.Client.GetStringAsync("/os-environ?LANG")).RootElement;
        Assert.Equal("C.UTF-8", lang.GetProperty("value").GetString());
        // The body streams through the worker.
        byte[] upload = EchoedUploads.Body(3 * 1024 * 1024, 5);
        using var echo = await host.Client.PostAsync("/echo", new ByteArrayContent(upload));
        await EchoedUploads.AssertEchoedAsync(echo, upload);
        Assert.Equal("written then returned", await host.Client.GetStringAsync("/write"));
        // An empty header value crosses the socket and goes out as mod_wsgi sends it.
        string empty = await RawHttp.SendAsync(host.Port, "GET /headers-back?200%20OK|X-Empty| HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        Assert.Contains("\r\nX-Empty: \r\n", empty, StringComparison.Ordinal);
        // The worker's connections send through WsgiHost's default buffer (1 MiB, capped by the system).
        int sendBuffer = 2 * Math.Min(1024 * 1024, int.Parse(File.ReadAllText("/proc/sys/net/core/wmem_max").Trim(), System.Globalization.CultureInfo.InvariantCulture));
        var buffers = JsonDocument.Parse(await host.Client.GetStringAsync("/socket-buffers")).RootElement.EnumerateArray().ToList();
        Assert.NotEmpty(buffers);
        Assert.All(buffers, b => Assert.Equal(sendBuffer, b[0].GetInt32()));
        // A long response streams back through the worker byte for byte (64 KiB pieces and a short
        // last one; one streamed item of 3 MiB, sent from the Python object in several frames).
        const int size = 3 * 1024 * 1024 + 1000;
        byte[] block = System.Security.Cryptography.SHA256.HashData("seed"u8);
        byte[] expected = new byte[size];
        for (int i = 0; i < size; i++)
        {
            expected[i] = block[i % block.Length];
        }
        foreach (string query in new[] { $"{size}", $"list-{size}", $"whole-{size}" }) // pieces flushed one by one; a list buffered whole, past the largest chunk
        {
            byte[] downloaded = await host.Client.GetByteArrayAsync($"/download?{query}");
            Assert.Equal(size, downloaded.Length);
            Assert.True(expected.AsSpan().SequenceEqual(downloaded), $"the body of /download?{query} that came through the worker differs from the one the app returned");
        }

        Assert.Equal(0, await host.StopAsync());
        // Stopping the server stops its workers.
        var sw = Stopwatch.StartNew();
        while (Alive(pid) && sw.ElapsedMilliseconds < 10_000)
        {
            await Task.Delay(50);
        }
        Assert.False(Alive(pid), $"worker {pid} outlived the server");
    }

    /// <summary>
    /// send-buffer-size= and receive-buffer-size= are set on the worker's connections from the
    /// front (the kernel reports twice the size set). Through buffers that small, each 64 KiB
    /// item of a download leaves the worker in many pieces: what the socket takes at once with
    /// the GIL held, the rest after it is released. Two downloads at once, one read slowly,
    /// arrive byte for byte.
    /// </summary>
    [Fact]
    public async Task SocketBufferSizesApplyAndDownloadsThroughSmallBuffersArriveWhole()
    {
        await using var host = await RunAsync("daemon-buffers.conf");
        var buffers = JsonDocument.Parse(await host.Client.GetStringAsync("/socket-buffers")).RootElement.EnumerateArray().ToList();
        Assert.NotEmpty(buffers);
        Assert.All(buffers, b => Assert.Equal((2 * 4096, 2 * 6144), (b[0].GetInt32(), b[1].GetInt32())));

        const int size = 6 * 1024 * 1024;
        Task<byte[]> fast = host.Client.GetByteArrayAsync($"/counting?{size}");
        using HttpResponseMessage response = await host.Client.GetAsync($"/counting?{size}", HttpCompletionOption.ResponseHeadersRead);
        await using Stream stream = await response.Content.ReadAsStreamAsync();
        var slow = new MemoryStream();
        byte[] piece = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(piece)) > 0)
        {
            slow.Write(piece, 0, read);
            if (slow.Length < 512 * 1024)
            {
                await Task.Delay(20); // the worker meets a full socket and waits
            }
        }
        foreach (byte[] body in new[] { await fast, slow.ToArray() })
        {
            Assert.Equal(size, body.Length);
            int wrong = Enumerable.Range(0, size / 4).FirstOrDefault(i => System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(body.AsSpan(4 * i)) != i, -1);
            Assert.True(wrong < 0, $"byte {4 * wrong} of the download differs from what the app sent");
        }
        Assert.Equal(0, await host.StopAsync());
    }

    /// <summary>
    /// A client gone in the middle of a streamed response: the worker's next send fails, the
    /// app stops being iterated and its close() runs once, in the worker, which goes on serving.
    /// </summary>
    [Fact]
    public async Task AClientGoneMidResponseStopsTheAppInTheWorkerAndClosesItOnce()
    {
        await using var host = await RunAsync("daemon.conf");
        string tag = Guid.NewGuid().ToString("N");
        using (var client = new System.Net.Sockets.TcpClient())
        {
            await client.ConnectAsync("127.0.0.1", host.Port);
            var stream = client.GetStream();
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"GET /close?slow&{tag} HTTP/1.1\r\nHost: a\r\n\r\n"));
            await stream.ReadAtLeastAsync(new byte[1024], 1);
            client.Client.LingerState = new System.Net.Sockets.LingerOption(true, 0);
        }
        // The app yields 200 pieces of 64 KiB 20 ms apart (4 s); the count is kept in the worker.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        string count = "0";
        while (DateTime.UtcNow < deadline && (count = await host.Client.GetStringAsync($"/close?count&{tag}")) == "0")
        {
            await Task.Delay(100);
        }
        Assert.Equal("1", count);
        await Task.Delay(500);
        Assert.Equal("1", await host.Client.GetStringAsync($"/close?count&{tag}"));
        Assert.Equal("onetwo", await host.Client.GetStringAsync($"/close?normal&{Guid.NewGuid():N}"));
    }

    [Fact]
    public async Task AKilledWorkerFailsOnlyItsOwnRequestAndIsReplaced()
    {
        await using var host = await RunAsync("daemon.conf");
        int pid = await host.AppPidAsync();
        Task<HttpResponseMessage> inFlight = host.Client.GetAsync("/sleep?5");
        await Task.Delay(500);
        Process.GetProcessById(pid).Kill();   // SIGKILL
        using (HttpResponseMessage failed = await inFlight)
        {
            Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        }
        await host.WaitForLogAsync("was killed by signal 9");
        int replacement = await host.AppPidAsync();
        Assert.NotEqual(pid, replacement);
        Assert.Contains("closed the connection before answering", host.ErrorLog);
        Assert.Equal(0, await host.StopAsync());
        foreach (int worker in new[] { pid, replacement })
        {
            File.Delete(Path.Combine(Path.GetTempPath(), $"wsgihost-preload-{worker}.marker"));
        }
    }

    [Fact]
    public async Task MaximumRequestsRecyclesTheWorkerWithoutAFailedRequest()
    {
        await using var host = await RunAsync("daemon-recycle.conf");
        var pids = new System.Collections.Concurrent.ConcurrentBag<string>();
        var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 16), new ParallelOptions { MaxDegreeOfParallelism = 3 }, async (_, _) =>
        {
            using var r = await host.Client.GetAsync("/pid");
            statuses.Add(r.StatusCode);
            pids.Add(await r.Content.ReadAsStringAsync());
        });
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.True(pids.Distinct().Count() >= 4, $"expected the worker to be replaced every 3 requests, saw pids {string.Join(", ", pids.Distinct())}");
        await host.WaitForLogAsync("reached maximum-requests=3");
        Assert.Equal(0, await host.StopAsync());
    }

    /// <summary>
    /// A worker that reaches maximum-requests while a long request runs on it: its successor
    /// takes new requests at once, and the long request finishes on the old one (mod_wsgi's
    /// draining daemon keeps serving too). Before, new requests waited for the drain (503).
    /// </summary>
    [Fact]
    public async Task ARecycledWorkersSuccessorServesWhileItFinishesALongRequest()
    {
        await using var host = await RunAsync("daemon-recycle.conf");
        string first = await host.Client.GetStringAsync("/pid");
        Task<HttpResponseMessage> longRequest = host.Client.GetAsync("/sleep?6");
        await Task.Delay(300);
        // The third request reaches maximum-requests=3; the worker then drains the long one.
        Assert.Equal(first, await host.Client.GetStringAsync("/pid"));
        await host.WaitForLogAsync("reached maximum-requests=3");
        var timer = System.Diagnostics.Stopwatch.StartNew();
        string next = await host.Client.GetStringAsync("/pid");
        Assert.NotEqual(first, next);
        Assert.False(longRequest.IsCompleted, $"the successor answered only after the drain ({timer.ElapsedMilliseconds} ms)");
        using (HttpResponseMessage finished = await longRequest)
        {
            Assert.Equal(HttpStatusCode.OK, finished.StatusCode);
        }
        await host.WaitForLogAsync("its successor took its place already");
        Assert.Equal(0, await host.StopAsync());
    }

    /// <summary>
    /// A small body goes to the worker whole, with its head (one write, answered with the
    /// response); a larger one streams once the worker has taken the request. Either arrives
    /// byte for byte and reads in every way, also when the worker it was sent to is being
    /// replaced (maximum-requests=3): the request goes to the next worker, body and all.
    /// </summary>
    [Fact]
    public async Task BodiesOfEverySizeArriveWholeThroughRecycledWorkers()
    {
        await using var host = await RunAsync("daemon-recycle.conf");
        int[] sizes = [0, 1, 1000, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, 300 * 1024];
        await Parallel.ForEachAsync(Enumerable.Range(0, 4 * sizes.Length), new ParallelOptions { MaxDegreeOfParallelism = 3 }, async (i, _) =>
        {
            byte[] upload = EchoedUploads.Body(sizes[i % sizes.Length], i);
            using var response = await host.Client.PostAsync("/echo", new ByteArrayContent(upload));
            await EchoedUploads.AssertEchoedAsync(response, upload);
        });
        const string body = "line one\nline two\n\nlast without newline";
        foreach (var (mode, expected) in new (string, string[])[]
        {
            ("readline", ["line one\n", "line two\n", "\n", "last without newline"]),
            ("mixed", ["line one\n", "line ", "two\n\nlast without newline", "b''"]),
            ("more-than-sent", [body, "b''"]),
        })
        {
            using var response = await host.Client.PostAsync($"/read?{mode}", new StringContent(body));
            Assert.Equal(expected, JsonSerializer.Deserialize<string[]>(await response.Content.ReadAsStringAsync()));
        }
        await host.WaitForLogAsync("reached maximum-requests=3");
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task ServeWithProcessesRunsTheAppInDaemonWorkers()
    {
        await using var host = await WsgiHostProcess.StartAsync(WsgiHostProcess.App("gateway.wsgi"), "--processes", "2", "--threads", "2");
        Assert.Contains("mode:   daemon, 2 process(es) x 2 thread(s)", host.Output);
        var pids = new HashSet<string>();
        for (int i = 0; i < 6; i++)
        {
            pids.Add(await host.Client.GetStringAsync("/pid"));
        }
        Assert.DoesNotContain(host.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), pids);
        var environ = JsonDocument.Parse(await host.Client.GetStringAsync("/environ")).RootElement;
        Assert.Equal("wsgihost-serve", environ.GetProperty("mod_wsgi.process_group").GetProperty("value").GetString());
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task ARequestWaitingLongerThanQueueTimeoutGets504()
    {
        await using var host = await RunAsync("daemon-queue.conf");
        Assert.Equal("written then returned", await host.Client.GetStringAsync("/write"));
        Task<HttpResponseMessage> busy = host.Client.GetAsync("/sleep?4");
        // Give it time to reach the worker's only thread, even on a loaded machine.
        await Task.Delay(1000);
        using (HttpResponseMessage queued = await host.Client.GetAsync("/write"))
        {
            Assert.Equal(HttpStatusCode.GatewayTimeout, queued.StatusCode);
        }
        await host.WaitForLogAsync("Queue timeout expired for WSGI daemon process 'narrow'");
        using (HttpResponseMessage first = await busy)
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }
        Assert.Equal(0, await host.StopAsync());
    }

    [RootFact]
    public async Task UserAndGroupSwitchTheWorkerBeforePythonStarts()
    {
        await using var host = await RunAsync("daemon-user.conf");
        int pid = await host.AppPidAsync();
        string status = File.ReadAllText($"/proc/{pid}/status");
        Assert.Matches(@"Uid:\s+65534\s+65534\s+65534\s+65534", status);
        Assert.Matches(@"Gid:\s+65534\s+65534\s+65534\s+65534", status);
        Assert.Matches(@"Groups:\s+65534\s*\n", status);
        var home = JsonDocument.Parse(await host.Client.GetStringAsync("/os-environ?HOME")).RootElement;
        Assert.Equal("/nonexistent", home.GetProperty("value").GetString());
        Assert.Equal(0, await host.StopAsync());
    }

    /// <summary>
    /// user= with the server's Python where that user cannot reach it (pyenv under /root): the
    /// worker says so and exits, where it used to find another Python on its own PATH, or abort.
    /// </summary>
    [RootOnlyPythonFact]
    public async Task AWorkerWhoseUserCannotReachThePythonSaysSo()
    {
        int port = WsgiHostProcess.FreePort();
        await using var host = await WsgiHostProcess.RunAsync(Path.Combine(WsgiHostProcess.TestAppsDirectory, "configs", "daemon-user.conf"), port,
            new Dictionary<string, string> { ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) }, "--python", RootOnlyPythonFactAttribute.Python!);

        await host.WaitForLogAsync("Daemon process group 'unprivileged' worker cannot start: it runs as nobody, who cannot reach the server's Python /");
        await host.WaitForLogAsync("could not start Python (the reason is logged above)");
        Assert.DoesNotContain("Unhandled exception", host.Output);
        Assert.Equal(0, await host.StopAsync());
    }

    [RootFact]
    public async Task WorkersWithoutUserRunAsApachesUserAndGroup()
    {
        await using var host = await RunAsync("daemon-apache-user.conf");
        int byDefault = int.Parse(await host.Client.GetStringAsync("/default/pid"), System.Globalization.CultureInfo.InvariantCulture);
        int own = int.Parse(await host.Client.GetStringAsync("/own/pid"), System.Globalization.CultureInfo.InvariantCulture);

        // User nobody, Group nogroup; user=www-data keeps its own (and its primary group).
        Assert.Matches(@"Uid:\s+65534\s+65534\s+65534\s+65534", File.ReadAllText($"/proc/{byDefault}/status"));
        Assert.Matches(@"Gid:\s+65534\s+65534\s+65534\s+65534", File.ReadAllText($"/proc/{byDefault}/status"));
        Assert.Matches(@"Uid:\s+33\s+33\s+33\s+33", File.ReadAllText($"/proc/{own}/status"));
        Assert.Matches(@"Gid:\s+33\s+33\s+33\s+33", File.ReadAllText($"/proc/{own}/status"));
        // The server itself keeps the identity it started with.
        Assert.Matches(@"Uid:\s+0\s", File.ReadAllText($"/proc/{host.Pid}/status"));
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public Task ARequestPastRequestTimeoutGets504AndItsWorkerIsReplaced() =>
        StuckRequestReplacesTheWorkerAsync("daemon-timeout.conf", "/sleep?30", HttpStatusCode.GatewayTimeout,
            "Timeout when reading response headers from daemon process 'slow'", "slow", "request-timeout");

    /// <summary>
    /// mod_wsgi 6's rule: with several threads a request may run request-timeout × (1 + ln
    /// threads) (2 s × 2.39 = 4.8 s with 4): a 3 s request past request-timeout itself is
    /// served, as mod_wsgi serves it (QA: it got 504), and a stuck one still gets 504.
    /// </summary>
    [Fact]
    public async Task WithSeveralThreadsARequestMayRunPastRequestTimeoutItselfAsInModWsgi()
    {
        await using var host = await WsgiHostProcess.StartDaemonAsync(WsgiHostProcess.App("gateway.wsgi"),
            "--processes", "1", "--threads", "4", "--request-timeout", "2", "--graceful-timeout", "1", "--shutdown-timeout", "1");
        using (HttpResponseMessage slow = await host.Client.GetAsync("/sleep?3"))
        {
            Assert.Equal(HttpStatusCode.OK, slow.StatusCode);
        }
        var clock = Stopwatch.StartNew();
        using (HttpResponseMessage stuck = await host.Client.GetAsync("/sleep?30"))
        {
            Assert.Equal(HttpStatusCode.GatewayTimeout, stuck.StatusCode);
        }
        Assert.InRange(clock.Elapsed.TotalSeconds, 4.5, 25);
        await host.WaitForLogAsync("(request-timeout=2 s, 5 s with 4 threads: request-timeout × (1 + ln threads), as mod_wsgi 6); recycling worker 0");
        Assert.Equal(0, await host.StopAsync());
    }

    /// <summary>
    /// socket-timeout (here Timeout, which serve's --socket-timeout sets) bounds the wait for a
    /// response head as in mod_wsgi: 504 "Timeout when reading response headers from daemon
    /// process", while the request runs on in the worker, which is not recycled for it (QA:
    /// the front waited without end when request-timeout was off or longer).
    /// </summary>
    [Fact]
    public async Task ARequestPastSocketTimeoutGets504AndTheWorkerLivesOn()
    {
        await using var host = await WsgiHostProcess.StartDaemonAsync(WsgiHostProcess.App("gateway.wsgi"),
            "--processes", "1", "--threads", "2", "--socket-timeout", "2", "--request-timeout", "0");
        int pid = await host.AppPidAsync();
        var clock = Stopwatch.StartNew();
        using (HttpResponseMessage slow = await host.Client.GetAsync("/sleep?5"))
        {
            Assert.Equal(HttpStatusCode.GatewayTimeout, slow.StatusCode);
        }
        Assert.InRange(clock.Elapsed.TotalSeconds, 1.5, 4.5);
        string log = await host.WaitForLogAsync("Timeout when reading response headers from daemon process");
        Assert.Contains("no answer within socket-timeout (2 s: Timeout, as socket-timeout= is not set)", log, StringComparison.Ordinal);
        Assert.Contains("request-timeout= would end such requests", log, StringComparison.Ordinal);
        // Within socket-timeout is served; the worker was left alone.
        Assert.Equal("slept", (await host.Client.GetStringAsync("/sleep?1"))[..5]);
        Assert.Equal(pid, await host.AppPidAsync());
        Assert.DoesNotContain("recycling worker", host.ErrorLog, StringComparison.Ordinal);
        Assert.Equal(0, await host.StopAsync());
    }

    /// <summary>
    /// socket-timeout is the daemon socket's: a client that pauses mid-upload for longer (but
    /// within Apache's Timeout) is served, as under mod_wsgi, whose body reads from the client
    /// have Timeout (QA: 408 "no request data for 3 s (Timeout)" with socket-timeout=3, Timeout 60).
    /// </summary>
    [Fact]
    public async Task AnUploadPausingPastSocketTimeoutButWithinTimeoutIsServed()
    {
        int port = WsgiHostProcess.FreePort();
        string conf = Path.Combine(Path.GetTempPath(), $"wsgihost-socket-timeout-{port}.conf");
        File.WriteAllText(conf, $"""
            Listen 127.0.0.1:{port}
            Timeout 60
            WSGIDaemonProcess g threads=2 socket-timeout=2
            WSGIProcessGroup g
            WSGIScriptAlias / {WsgiHostProcess.App("gateway.wsgi")}
            """);
        try
        {
            await using var host = await WsgiHostProcess.RunAsync(conf, port, new Dictionary<string, string>());
            using var client = new System.Net.Sockets.TcpClient();
            await client.ConnectAsync("127.0.0.1", port);
            var stream = client.GetStream();
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes("POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 200000\r\n\r\n"));
            await stream.WriteAsync(new byte[100_000]);
            await Task.Delay(3500);
            await stream.WriteAsync(new byte[100_000]);
            string answer = System.Text.Encoding.ASCII.GetString(await RawHttp.ReadToEndAsync(stream, timeoutMs: 30_000));
            Assert.StartsWith("HTTP/1.1 200", answer, StringComparison.Ordinal);
            Assert.Contains("\"length\": 200000", answer, StringComparison.Ordinal);
            Assert.Equal(0, await host.StopAsync());
        }
        finally
        {
            File.Delete(conf);
        }
    }

    /// <summary>
    /// socket-timeout before request-timeout: the client gets 504 at socket-timeout, and the
    /// worker is still recycled at request-timeout when the request has not ended by then.
    /// </summary>
    [Fact]
    public async Task AfterASocketTimeoutRequestTimeoutStillRecyclesTheStuckWorker()
    {
        await using var host = await WsgiHostProcess.StartDaemonAsync(WsgiHostProcess.App("gateway.wsgi"),
            "--processes", "1", "--threads", "1", "--socket-timeout", "1", "--request-timeout", "4", "--graceful-timeout", "1", "--shutdown-timeout", "1");
        int pid = await host.AppPidAsync();
        var clock = Stopwatch.StartNew();
        using (HttpResponseMessage stuck = await host.Client.GetAsync("/sleep?60"))
        {
            Assert.Equal(HttpStatusCode.GatewayTimeout, stuck.StatusCode);
        }
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.5, 3.5);
        await host.WaitForLogAsync("until request-timeout=4 s recycles it");
        await host.WaitForLogAsync("(its client got 504 at socket-timeout); recycling worker 0");
        Assert.True(clock.Elapsed.TotalSeconds >= 3.5, $"{clock.Elapsed}");
        Assert.NotEqual(pid, await host.AppPidAsync());
        Assert.Equal(0, await host.StopAsync());
    }

    /// <summary>
    /// socket-timeout also bounds each wait for more of the body, as mod_wsgi's reads of the
    /// daemon socket: a streamed response that pauses longer ends incomplete, with the log
    /// line saying which option to raise; one that pauses less is whole.
    /// </summary>
    [Fact]
    public async Task AResponseThatPausesPastSocketTimeoutEndsIncomplete()
    {
        await using var host = await WsgiHostProcess.StartDaemonAsync(WsgiHostProcess.App("gateway.wsgi"),
            "--processes", "1", "--threads", "2", "--socket-timeout", "2");
        Assert.Equal("first\nsecond\n", await host.Client.GetStringAsync("/close?paused-0.5&whole"));
        using HttpResponseMessage cut = await host.Client.GetAsync("/close?paused-5&cut", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, cut.StatusCode);
        await Assert.ThrowsAnyAsync<Exception>(() => cut.Content.ReadAsStringAsync());
        string log = await host.WaitForLogAsync("Timeout when reading the response from daemon process");
        Assert.Contains("nothing more came within socket-timeout (2 s: Timeout, as socket-timeout= is not set); the client gets an incomplete response", log, StringComparison.Ordinal);
        Assert.Equal(0, await host.StopAsync());
    }

    /// <summary>
    /// listen-backlog bounds the requests waiting for a group's threads, as mod_wsgi's daemon
    /// socket backlog does: those beyond it get 503 after connect-timeout instead of piling up
    /// behind a stuck app (QA: every request waited for the stuck one).
    /// </summary>
    [Fact]
    public async Task RequestsBeyondListenBacklogGet503AfterConnectTimeout()
    {
        await using var host = await WsgiHostProcess.StartDaemonAsync(WsgiHostProcess.App("gateway.wsgi"),
            "--processes", "1", "--threads", "1", "--daemon-backlog", "1", "--connect-timeout", "2");
        Task<HttpResponseMessage> stuck = host.Client.GetAsync("/sleep?6");
        await Task.Delay(1000); // the stuck request has the group's one thread
        var clock = Stopwatch.StartNew();
        Task<HttpResponseMessage>[] more = [.. Enumerable.Range(0, 4).Select(_ => host.Client.GetAsync("/sleep?0.1"))];
        HttpResponseMessage[] answers = await Task.WhenAll(more);
        var statuses = answers.Select(a => a.StatusCode).ToList();
        Assert.True(statuses.Count(s => s == HttpStatusCode.OK) == 1, string.Join(", ", statuses) + "\n" + host.ErrorLog);
        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.ServiceUnavailable));
        Assert.Equal(HttpStatusCode.OK, (await stuck).StatusCode);
        await host.WaitForLogAsync("listen-backlog=1 requests were waiting for its threads for all of connect-timeout=2 s");
        Assert.True(clock.Elapsed.TotalSeconds >= 1.5, $"{clock.Elapsed}");
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task InterruptTimeoutRaisesRequestTimeoutInTheStuckThreadAndTheWorkerLives()
    {
        await using var host = await RunAsync("daemon-interrupt.conf");
        int pid = await host.AppPidAsync();
        using (HttpResponseMessage stuck = await host.Client.GetAsync("/spin?60"))
        {
            Assert.Equal(HttpStatusCode.GatewayTimeout, stuck.StatusCode);
        }
        string log = await host.WaitForLogAsync("ran past request-timeout and was interrupted (RequestTimeout raised in its thread); answering 504.");
        Assert.Contains("ran past request-timeout=3 s, 5 s with 2 threads: request-timeout × (1 + ln threads), as mod_wsgi 6; raised RequestTimeout in its thread", log, StringComparison.Ordinal);
        Assert.DoesNotContain("recycling worker", log, StringComparison.Ordinal);
        // The same worker serves on, on both of its threads.
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(pid, await host.AppPidAsync());
        }
        Assert.Equal("spun", await host.Client.GetStringAsync("/spin?0.1"));
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public Task AWorkerWhoseGilIsHeldPastDeadlockTimeoutIsEndedAndReplaced() =>
        StuckRequestReplacesTheWorkerAsync("daemon-deadlock.conf", "/hold-gil?30", HttpStatusCode.BadGateway,
            "the GIL was not released for deadlock-timeout=2 s", "stuck", "deadlock-timeout");

    /// <summary>
    /// A request that never finishes gets <paramref name="status"/>, the log says why, a new
    /// worker serves the next one, and the metrics count the restart with its reason.
    /// </summary>
    private static async Task StuckRequestReplacesTheWorkerAsync(string config, string stuckPath, HttpStatusCode status, string logText, string group, string reason)
    {
        await using var host = await RunAsync(config);
        int pid = await host.AppPidAsync();
        using (HttpResponseMessage stuck = await host.Client.GetAsync(stuckPath))
        {
            Assert.Equal(status, stuck.StatusCode);
        }
        await host.WaitForLogAsync(logText);
        int replacement = await host.AppPidAsync();
        Assert.NotEqual(pid, replacement);
        string metrics = await host.Client.GetStringAsync("/metrics");
        Assert.Contains($"wsgihost_daemon_worker_restarts_total{{process_group=\"{group}\",reason=\"{reason}\"}} 1\n", metrics);
        Assert.Contains($"wsgihost_daemon_worker_restarts_total{{process_group=\"{group}\",reason=\"crash\"}} 0\n", metrics);
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task AResponseHeaderLongerThanHeaderBufferSizeIs500AndTheWorkerLives()
    {
        await using var host = await RunAsync("daemon-headers.conf");
        int pid = await host.AppPidAsync();
        using (HttpResponseMessage fits = await host.Client.GetAsync("/long-header?8180"))
        {
            Assert.Equal(HttpStatusCode.OK, fits.StatusCode);
            Assert.Equal(8180, fits.Headers.GetValues("X-Long").Single().Length);
        }
        using (HttpResponseMessage tooLong = await host.Client.GetAsync("/long-header?9000"))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, tooLong.StatusCode);
        }
        await host.WaitForLogAsync("Response header 'X-Long' from daemon process 'headers' is 9008 bytes, more than header-buffer-size=8192");
        Assert.Equal(pid, await host.AppPidAsync());
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task TheModWsgiModuleDescribesTheWorkerAndCallsShutdownSubscribers()
    {
        string marker = Path.Combine(Path.GetTempPath(), $"wsgihost-shutdown-{Guid.NewGuid():N}");
        await using var host = await RunAsync("daemon.conf");
        var module = JsonDocument.Parse(await host.Client.GetStringAsync($"/mod-wsgi?shutdown={Uri.EscapeDataString(marker)}")).RootElement;
        Assert.Equal("shop", module.GetProperty("process_group").GetString());
        Assert.Equal("", module.GetProperty("application_group").GetString());
        Assert.Equal(1, module.GetProperty("maximum_processes").GetInt32());
        Assert.Equal(3, module.GetProperty("threads_per_process").GetInt32());
        Assert.Equal(module.GetProperty("environ_version").GetRawText(), module.GetProperty("version").GetRawText());
        Assert.True(module.GetProperty("request_timeout_is_base_exception").GetBoolean());
        Assert.Equal(0, await host.StopAsync());
        try
        {
            Assert.Equal("process_stopping", File.ReadAllText(marker));
        }
        finally
        {
            File.Delete(marker);
        }
    }

    /// <summary>
    /// The callbacks run before Python's own shutdown, which waits for the app's non-daemon
    /// threads before the atexit handlers: a thread that a callback stops let the worker end
    /// at once, its atexit handlers ran (QA: neither ran, and every stop took shutdown-timeout).
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ShutdownSubscribersRunBeforePythonWaitsForTheAppsThreads(bool daemon)
    {
        string marker = Path.Combine(Path.GetTempPath(), $"wsgihost-shutdown-{Guid.NewGuid():N}");
        await using var host = daemon ? await RunAsync("daemon.conf") : await WsgiHostProcess.StartAsync(WsgiHostProcess.App("gateway.wsgi"));
        using (HttpResponseMessage response = await host.Client.GetAsync($"/mod-wsgi?thread=1&shutdown={Uri.EscapeDataString(marker)}"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.Equal(0, await host.StopAsync());
        try
        {
            Assert.Equal("process_stopping", File.ReadAllText(marker));
            Assert.Equal("atexit", File.ReadAllText(marker + ".atexit"));
            Assert.DoesNotContain("Python did not finish shutting down", host.ErrorLog, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(marker);
            File.Delete(marker + ".atexit");
        }
    }

    [Fact]
    public async Task WorkersWhoseServerIsKilledOutrightStopThemselves()
    {
        await using var host = await WsgiHostProcess.StartAsync(WsgiHostProcess.App("gateway.wsgi"), "--processes", "2", "--threads", "2");
        var workers = new HashSet<int>();
        for (int i = 0; i < 20 && workers.Count < 2; i++)
        {
            workers.Add(int.Parse(await host.Client.GetStringAsync("/pid"), System.Globalization.CultureInfo.InvariantCulture));
        }
        Assert.NotEmpty(workers);
        Process.GetProcessById(host.Pid).Kill();
        await ServerProcessesTests.WaitGoneAsync(workers);
    }

    [Fact]
    public async Task ABodyOnAStatusThatHasNoneIsDroppedAndTheConnectionGoesOn()
    {
        await using var host = await RunAsync("daemon.conf");
        await ResponseTests.AssertBodiesOfBodylessStatusesAreDropped(host.Port);
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task UmaskAndResourceLimitsApplyToTheWorker()
    {
        await using var host = await RunAsync("daemon-limits.conf");
        int pid = await host.AppPidAsync();
        Assert.Matches(@"Umask:\s+0027", File.ReadAllText($"/proc/{pid}/status"));
        string limits = File.ReadAllText($"/proc/{pid}/limits");
        // The limits count from what the worker's own runtime held before Python started, as
        // mod_wsgi's forked daemon starts with almost nothing: the app gets memory-limit.
        var data = System.Text.RegularExpressions.Regex.Match(limits, @"Max data size\s+(\d+)\s+(\d+)\s+bytes");
        long soft = long.Parse(data.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        // 4 GiB, over 32 bits (refused as a config error until QA found it), as mod_wsgi reads it with apr_atoi64.
        Assert.InRange(soft, 4294967296L + 32 * 1024 * 1024, 4294967296L + 1024L * 1024 * 1024);
        // cpu-time-limit: SIGXCPU at the limit (a graceful restart), SIGKILL only past graceful-timeout + shutdown-timeout more.
        Assert.Matches(@"Max cpu time\s+3600\s+3620\s+seconds", limits);
        Assert.Equal(0, await host.StopAsync());
    }

    /// <summary>
    /// memory-limit=60 MB serves, as under mod_wsgi (before, the worker's runtime alone was over
    /// it: no worker ever served); cpu-time-limit restarts the worker gracefully (SIGXCPU), the
    /// request that used the time up finishing, instead of a SIGKILL blamed on the OOM killer.
    /// </summary>
    [Fact]
    public async Task TightMemoryAndCpuLimitsServeAndRestartGracefully()
    {
        await using var host = await RunAsync("daemon-tight.conf");
        int pid = await host.AppPidAsync();
        Assert.Equal("spun", await host.Client.GetStringAsync("/spin-cpu?3"));
        await host.WaitForLogAsync("exceeded cpu-time-limit=2 s of CPU; restarting once its requests finish");
        await host.WaitForLogAsync("(cpu-time-limit)");
        Assert.NotEqual(pid, await host.AppPidAsync());
        string metrics = await host.Client.GetStringAsync("/metrics");
        Assert.Contains("wsgihost_daemon_worker_restarts_total{process_group=\"tight\",reason=\"cpu-time-limit\"} 1\n", metrics);
        Assert.Contains("wsgihost_daemon_worker_restarts_total{process_group=\"tight\",reason=\"signal\"} 0\n", metrics);
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task AnIdleWorkerEndsAfterInactivityTimeoutAndIsReplaced()
    {
        await using var host = await RunAsync("daemon-idle.conf");
        int Exits() => System.Text.RegularExpressions.Regex.Matches(host.ErrorLog, "reached inactivity-timeout=1 s").Count;
        // As in mod_wsgi, the idle timer starts with a worker's first request: one that has
        // served none has nothing to give back, and is not restarted every second.
        await Task.Delay(3_000);
        Assert.Equal(0, Exits());
        int pid = await host.AppPidAsync();
        var sw = Stopwatch.StartNew();
        while (Exits() == 0 && sw.ElapsedMilliseconds < 15_000)
        {
            await Task.Delay(50);
        }
        Assert.True(Exits() > 0, "no worker reached inactivity-timeout");
        int next = await host.AppPidAsync();
        Assert.NotEqual(pid, next);
        Assert.Equal(0, await host.StopAsync());
    }

    /// <summary>
    /// startup-timeout counts from the first failed load and is checked by a timer, as by
    /// mod_wsgi's monitor thread: the worker is replaced with no further request to notice it
    /// (before, it waited for the next request, which then failed too).
    /// </summary>
    [Fact]
    public async Task AnAppThatKeepsFailingToLoadRestartsItsWorkerAfterStartupTimeout()
    {
        await using var host = await RunAsync("daemon-startup.conf");
        using (var failed = await host.Client.GetAsync("/"))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        }
        await host.WaitForLogAsync("has not loaded within startup-timeout=1 s of its first failed attempt; restarting the worker");
        await host.WaitForLogAsync("(startup-timeout) after");
        Assert.Equal(0, await host.StopAsync());
    }
}
