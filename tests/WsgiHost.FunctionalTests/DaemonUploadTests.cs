using System.Net;
using WsgiHost.FunctionalTests.Infrastructure;
using static WsgiHost.FunctionalTests.Infrastructure.EchoedUploads;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// Request bodies larger than what goes with the head (64 KiB) reach a daemon worker through
/// shared memory between the front and the worker's connection (BodySlots), the socket
/// carrying only where each piece lies. What the app reads must be the client's bytes exactly,
/// whatever the app's pace, in parallel, and across requests on one connection.
/// </summary>
public sealed class DaemonUploadTests
{
    private static Task<WsgiHostProcess> RunAsync() => WsgiHostProcess.RunConfigAsync("daemon.conf");

    private static string SharedMemoryOf(int pid) =>
        string.Join("\n", File.ReadAllLines($"/proc/{pid}/maps").Where(l => l.Contains("memfd:wsgihost-request-body", StringComparison.Ordinal)));

    [Fact]
    public async Task UploadsGoThroughSharedMemoryAndArriveWhole()
    {
        await using var host = await RunAsync();
        int worker = await host.AppPidAsync();
        Assert.Equal("", SharedMemoryOf(worker)); // made for a first streamed body, not before

        // One after the other: the connection to the worker is reused, and so are its slots.
        int[] sizes = [64 * 1024 + 1, 200 * 1024, 1024 * 1024, 5 * 1024 * 1024 + 3];
        for (int i = 0; i < sizes.Length; i++)
        {
            byte[] body = Body(sizes[i], i);
            using var response = await host.Client.PostAsync("/echo", new ByteArrayContent(body));
            await AssertEchoedAsync(response, body);
        }
        // Mapped in both processes (a worker that read the body through the socket has none).
        Assert.NotEqual("", SharedMemoryOf(worker));
        Assert.NotEqual("", SharedMemoryOf(host.Pid));

        // In parallel, each on a connection (and slots) of its own: no body takes another's bytes.
        await Parallel.ForEachAsync(Enumerable.Range(100, 12), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (seed, _) =>
        {
            byte[] body = Body(700 * 1024 + seed, seed);
            using var response = await host.Client.PostAsync("/echo", new ByteArrayContent(body));
            await AssertEchoedAsync(response, body);
        });
        Assert.Equal(0, await host.StopAsync());
    }

    /// <summary>
    /// The front's connections to a worker that no request took for 10 s close, and with them
    /// the shared memory their uploads left in both processes; until then they wait for the
    /// next request, and the next upload after they closed connects anew.
    /// </summary>
    [Fact]
    public async Task IdleConnectionsCloseAndGiveTheirSharedMemoryBack()
    {
        await using var host = await RunAsync();
        int worker = await host.AppPidAsync();
        await Parallel.ForEachAsync(Enumerable.Range(0, 4), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (seed, _) =>
        {
            byte[] body = Body(1024 * 1024 + seed, seed);
            using var response = await host.Client.PostAsync("/echo", new ByteArrayContent(body));
            await AssertEchoedAsync(response, body);
        });
        var idle = System.Diagnostics.Stopwatch.StartNew();
        Assert.NotEqual("", SharedMemoryOf(worker));
        Assert.NotEqual("", SharedMemoryOf(host.Pid));

        while ((SharedMemoryOf(worker) != "" || SharedMemoryOf(host.Pid) != "") && idle.Elapsed < TimeSpan.FromSeconds(40))
        {
            await Task.Delay(200);
        }
        Assert.Equal("", SharedMemoryOf(worker));
        Assert.Equal("", SharedMemoryOf(host.Pid));
        Assert.True(idle.Elapsed > TimeSpan.FromSeconds(8), $"closed after {idle.Elapsed}, not kept for the next request");

        byte[] next = Body(2 * 1024 * 1024, 99);
        using (var response = await host.Client.PostAsync("/echo", new ByteArrayContent(next)))
        {
            await AssertEchoedAsync(response, next);
        }
        Assert.NotEqual("", SharedMemoryOf(worker));
        Assert.Equal(worker, await host.AppPidAsync());
        Assert.Equal(0, await host.StopAsync());
    }

    /// <summary>A body of unknown length (chunked transfer coding) goes the same way, up to its last chunk.</summary>
    [Fact]
    public async Task AChunkedUploadArrivesWhole()
    {
        await using var host = await RunAsync();
        byte[] body = Body(1536 * 1024 + 17, 21);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/echo") { Content = new StreamContent(new MemoryStream(body), 50_000) };
        request.Headers.TransferEncodingChunked = true;
        using var response = await host.Client.SendAsync(request);
        await AssertEchoedAsync(response, body);
        Assert.Equal(0, await host.StopAsync());
    }

    /// <summary>An app reading slowly: the front fills every slot and waits for the worker to free some, many times over.</summary>
    [Fact]
    public async Task ASlowReaderMakesTheFrontWaitAndGetsEveryByte()
    {
        await using var host = await RunAsync();
        byte[] slowBody = Body(3 * 1024 * 1024, 7);
        byte[] fastBody = Body(2 * 1024 * 1024, 8);
        Task<HttpResponseMessage> slow = host.Client.PostAsync("/slow-echo", new ByteArrayContent(slowBody));
        using (var fast = await host.Client.PostAsync("/echo", new ByteArrayContent(fastBody)))
        {
            await AssertEchoedAsync(fast, fastBody);
        }
        using (var response = await slow)
        {
            await AssertEchoedAsync(response, slowBody);
        }
        Assert.Equal(0, await host.StopAsync());
    }

    /// <summary>
    /// An app that answers without reading the body: the worker reads what is left off the
    /// connection (freeing the slots it names), so the front's sending ends and the connection
    /// serves the next upload.
    /// </summary>
    [Fact]
    public async Task AnUnreadBodyIsSkippedAndTheNextUploadArrivesWhole()
    {
        await using var host = await RunAsync();
        for (int i = 0; i < 3; i++)
        {
            using (var unread = await host.Client.PostAsync("/read?none", new ByteArrayContent(Body(3 * 1024 * 1024, i))))
            {
                Assert.Equal(HttpStatusCode.OK, unread.StatusCode);
                Assert.Equal("[\"unread\"]", await unread.Content.ReadAsStringAsync());
            }
            byte[] body = Body(1024 * 1024 + i, 10 + i);
            using var response = await host.Client.PostAsync("/echo", new ByteArrayContent(body));
            await AssertEchoedAsync(response, body);
        }
        Assert.Equal(0, await host.StopAsync());
    }

    /// <summary>
    /// A worker that dies in the middle of a body, while the front waits for room to send the
    /// rest: that request fails (502) at once, not when a timeout runs out, and the worker
    /// started in its place takes the next upload.
    /// </summary>
    [Fact]
    public async Task AWorkerDyingMidUploadFailsOnlyThatRequest()
    {
        await using var host = await RunAsync();
        int before = await host.AppPidAsync();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        // Over a socket of its own: the answer comes while the client still sends, and the
        // server then closes the connection (HttpClient reports the failed send, not the answer).
        using (var client = new System.Net.Sockets.TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, host.Port);
            var stream = client.GetStream();
            const int size = 8 * 1024 * 1024;
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"POST /read-then-exit?200000 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {size}\r\n\r\n"));
            Task sending = stream.WriteAsync(Body(size, 1)).AsTask();
            using var reader = new StreamReader(stream, System.Text.Encoding.Latin1);
            Assert.Equal("HTTP/1.1 502 Bad Gateway", await reader.ReadLineAsync());
            try
            {
                await sending;
            }
            catch (IOException)
            {
                // Cut off: the server does not read the rest of a body its app can no longer take.
            }
        }
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"the failed upload took {watch.Elapsed}");
        await host.WaitForLogAsync($"(pid {before}) exited with code 7");
        byte[] body = Body(2 * 1024 * 1024, 2);
        using var response = await host.Client.PostAsync("/echo", new ByteArrayContent(body));
        await AssertEchoedAsync(response, body);
        Assert.NotEqual(before, await host.AppPidAsync());
        Assert.Equal(0, await host.StopAsync());
    }
}
