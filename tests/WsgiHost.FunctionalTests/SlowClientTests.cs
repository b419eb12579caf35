using System.Globalization;
using System.Net.Sockets;
using System.Text;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// Slow clients (slowloris headers, dribbled bodies) against a server with one WSGI thread
/// (slow.conf: ThreadsPerChild 1, RequestReadTimeout header=2 body=2,MinRate=100): they hold
/// only connections, never the WSGI thread, so a fast client is answered meanwhile, and the
/// server cuts off the ones below the limits.
/// </summary>
public sealed class SlowClientTests
{
    private static Task<WsgiHostProcess> RunAsync()
    {
        int port = WsgiHostProcess.FreePort();
        return WsgiHostProcess.RunAsync(Path.Combine(WsgiHostProcess.TestAppsDirectory, "configs", "slow.conf"), port,
            new Dictionary<string, string> { ["PORT"] = port.ToString(CultureInfo.InvariantCulture) });
    }

    [Fact]
    public async Task AFastClientIsAnsweredWhileSlowClientsDribbleHeadersAndBodies()
    {
        await using var host = await RunAsync();
        // Bodies at 200 bytes/s, above MinRate, so never cut off: were one of them given the
        // only WSGI thread before its body arrived, /app/echo would hold it for minutes.
        await using var bodies = new DribblerGroup(Enumerable.Range(0, 3).Select(_ =>
            Dribbler.Start(host.Port, "POST /app/echo HTTP/1.1\r\nHost: slow.test\r\nContent-Length: 1000000\r\n\r\n", 'b', bytesPerTick: 20, TimeSpan.FromMilliseconds(100))));
        await using var headers = new DribblerGroup(Enumerable.Range(0, 3).Select(_ =>
            Dribbler.Start(host.Port, "GET /app/write HTTP/1.1\r\nHost: slow.test\r\n", 'h', bytesPerTick: 1, TimeSpan.FromMilliseconds(100))));
        await bodies.AllSentAsync(bytes: 200);

        using var response = await host.Client.GetAsync("/app/write");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("written then returned", await response.Content.ReadAsStringAsync());
        Assert.All(bodies.Items, d => Assert.False(d.Closed.IsCompleted, "a body above MinRate was cut off: " + (d.Closed.IsCompleted ? d.Closed.Result : "")));
    }

    [Fact]
    public async Task SlowlorisHeadersAreCutOffByTheHeaderTimeout()
    {
        await using var host = await RunAsync();
        await using var slow = new DribblerGroup(Enumerable.Range(0, 3).Select(_ =>
            Dribbler.Start(host.Port, "GET /app/write HTTP/1.1\r\nHost: slow.test\r\n", 'h', bytesPerTick: 1, TimeSpan.FromMilliseconds(200))));

        foreach (Dribbler d in slow.Items)
        {
            // Cut off while still sending: 408, or the connection simply closed.
            string answer = await d.Closed.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(answer.Length == 0 || RawHttp.StatusOf(answer) == 408, answer);
        }
        using var response = await host.Client.GetAsync("/app/write");
        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task ABodyBelowMinRateIsCutOffWith408BeforeTheAppRuns()
    {
        await using var host = await RunAsync();
        string token = "slowbody-" + Guid.NewGuid().ToString("N");
        // 5 bytes/s, below MinRate=100.
        await using var slow = new DribblerGroup([
            Dribbler.Start(host.Port, $"POST /app/echo?{token} HTTP/1.1\r\nHost: slow.test\r\nContent-Length: 100000\r\n\r\n", 'b', bytesPerTick: 1, TimeSpan.FromMilliseconds(200))]);

        string answer = await slow.Items[0].Closed.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(RawHttp.StatusOf(answer) == 408, answer);
        using var seen = await host.Client.GetAsync("/app/seen?" + token);
        Assert.Equal("[]", await seen.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/app")]
    [InlineData("/daemon")]
    public async Task AClientThatStopsReadingIsClosedAfterTimeoutAndFreesTheThread(string mount)
    {
        // One WSGI thread; the client asks for 200 MB and reads none of it. Apache closes it
        // after Timeout (2 s here); before, the thread waited for it for good.
        int port = WsgiHostProcess.FreePort();
        await using var host = await WsgiHostProcess.RunAsync(Path.Combine(WsgiHostProcess.TestAppsDirectory, "configs", "stalled.conf"), port,
            new Dictionary<string, string> { ["PORT"] = port.ToString(CultureInfo.InvariantCulture) });
        using var stalled = new TcpClient { ReceiveBufferSize = 4096 };
        await stalled.ConnectAsync("127.0.0.1", port);
        NetworkStream stream = stalled.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {mount}/download?{200 * 1024 * 1024} HTTP/1.1\r\nHost: stalled.test\r\n\r\n"));

        // First a slow reader (about 64 KB/s for 6 s, three Timeouts): it takes bytes, so it is
        // kept, as Apache keeps it (its Timeout bounds each send, not the response).
        byte[] buffer = new byte[4096];
        long read = 0;
        var slow = System.Diagnostics.Stopwatch.StartNew();
        while (slow.Elapsed < TimeSpan.FromSeconds(6))
        {
            read += await stream.ReadAsync(buffer);
            await Task.Delay(60);
        }
        Assert.True(read > 64 * 1024, $"read only {read} bytes");
        Assert.DoesNotContain("took none of the response", host.ErrorLog, StringComparison.Ordinal);

        // Then it reads nothing.
        await host.WaitForLogAsync("The client took none of the response for 2 s (Timeout); closing the connection.");
        // The thread is free again: the next request is served.
        using var next = await host.Client.GetAsync($"{mount}/pid");
        Assert.Equal(200, (int)next.StatusCode);
        // The stalled connection was closed: what is left to read ends.
        byte[] rest = await RawHttp.ReadToEndAsync(stream, timeoutMs: 30_000);
        Assert.True(read + rest.Length < 200 * 1024 * 1024, "the whole response went out");
        Assert.Equal(0, await host.StopAsync());
    }

    /// <summary>A client that sends a request head, then a few bytes at a time, until the server closes or it is disposed.</summary>
    private sealed class Dribbler : IAsyncDisposable
    {
        private readonly TcpClient _client = new();
        private readonly CancellationTokenSource _stop = new();
        private long _sent;

        private Dribbler()
        {
        }

        /// <summary>What the server answered, once it closed the connection.</summary>
        public Task<string> Closed { get; private set; } = Task.FromResult("");

        public long Sent => Interlocked.Read(ref _sent);

        public static Dribbler Start(int port, string head, char fill, int bytesPerTick, TimeSpan interval)
        {
            var d = new Dribbler();
            d._client.Connect("127.0.0.1", port);
            NetworkStream stream = d._client.GetStream();
            stream.Write(Encoding.ASCII.GetBytes(head));
            d.Closed = d.ReadUntilClosedAsync(stream);
            _ = d.DribbleAsync(stream, Encoding.ASCII.GetBytes(new string(fill, bytesPerTick)), interval);
            return d;
        }

        private async Task DribbleAsync(NetworkStream stream, byte[] tick, TimeSpan interval)
        {
            try
            {
                while (!_stop.IsCancellationRequested && !Closed.IsCompleted)
                {
                    await stream.WriteAsync(tick, _stop.Token);
                    Interlocked.Add(ref _sent, tick.Length);
                    await Task.Delay(interval, _stop.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
            {
                // Stopped, or the server cut the connection.
            }
        }

        private async Task<string> ReadUntilClosedAsync(NetworkStream stream)
        {
            var received = new MemoryStream();
            byte[] buffer = new byte[4096];
            try
            {
                int n;
                while ((n = await stream.ReadAsync(buffer, _stop.Token)) > 0)
                {
                    received.Write(buffer, 0, n);
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // Reset by the server: closed all the same.
            }
            return Encoding.Latin1.GetString(received.ToArray());
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _client.Dispose();
            _stop.Dispose();
        }
    }

    private sealed class DribblerGroup(IEnumerable<Dribbler> items) : IAsyncDisposable
    {
        public IReadOnlyList<Dribbler> Items { get; } = [.. items];

        /// <summary>Waits (polling) until every dribbler has sent at least <paramref name="bytes"/> bytes after its head.</summary>
        public async Task AllSentAsync(long bytes)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (Items.Any(d => d.Sent < bytes))
            {
                await Task.Delay(50, cts.Token);
            }
        }

        public async ValueTask DisposeAsync()
        {
            foreach (Dribbler d in Items)
            {
                await d.DisposeAsync();
            }
        }
    }
}
