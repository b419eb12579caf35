using System.Net;
using System.Text.RegularExpressions;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>SetHandler server-status, wsgihost-health and wsgihost-metrics, behind the section's access rules.</summary>
public sealed class OperatorEndpointsTests
{
    [Fact]
    public async Task HealthStatusAndMetricsAnswerAndCountTheRequests()
    {
        await using var host = await RunAsync("status.conf");
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal("written then returned", await host.Client.GetStringAsync("/write"));
        }
        using (var missing = await host.Client.GetAsync("/no-such-route"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);   // the app's own 404
        }
        Assert.Equal("ok\n", await host.Client.GetStringAsync("/healthz"));

        string metrics = await host.Client.GetStringAsync("/metrics");
        // 3 x /write and /healthz; the scrape itself is still running.
        Assert.Contains("wsgihost_requests_total{vhost=\"localhost\",process_group=\"\",application_group=\"\",code=\"200\"} 4\n", metrics);
        Assert.Contains("wsgihost_requests_total{vhost=\"localhost\",process_group=\"\",application_group=\"\",code=\"404\"} 1\n", metrics);
        Assert.Contains("# TYPE wsgihost_request_duration_seconds histogram", metrics);
        Assert.Contains("wsgihost_request_duration_seconds_bucket{vhost=\"localhost\",process_group=\"\",le=\"+Inf\"} 5\n", metrics);

        string auto = await host.Client.GetStringAsync("/server-status?auto");
        Assert.Matches(@"Total Accesses: \d+", auto);
        Assert.Contains("WsgiHost Status", await host.Client.GetStringAsync("/server-status"));

        using (var denied = await host.Client.GetAsync("/private-status"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        }
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task MetricsCountRequestsByVirtualHostProcessGroupApplicationGroupAndCode()
    {
        await using var host = await RunAsync("metrics.conf");
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal("written then returned", await GetAsync(host, "a.test", "/write", HttpStatusCode.OK));
        }
        await GetAsync(host, "a.test", "/no-such-route", HttpStatusCode.NotFound);
        var daemonPids = new HashSet<string>();
        for (int i = 0; i < 7; i++)
        {
            daemonPids.Add(await GetAsync(host, "b.test", "/pid", HttpStatusCode.OK));
        }
        Assert.Equal(3, daemonPids.Count);   // maximum-requests=3: requests 1-3, 4-6 and 7 in three workers

        // The second replacement is counted when the worker has exited: poll the counter.
        const string restarts = "wsgihost_daemon_worker_restarts_total{process_group=\"counted\",reason=\"maximum-requests\"} 2\n";
        string metrics = await GetAsync(host, "a.test", "/metrics", HttpStatusCode.OK);
        int earlierScrapes = 0;
        for (; earlierScrapes < 100 && !metrics.Contains(restarts, StringComparison.Ordinal); earlierScrapes++)
        {
            await Task.Delay(100);
            metrics = await GetAsync(host, "a.test", "/metrics", HttpStatusCode.OK);
        }
        Assert.Contains(restarts, metrics);

        // The scrape being answered is not counted yet; earlier ones are (a.test, "", "", 200).
        Assert.Contains($"wsgihost_requests_total{{vhost=\"a.test\",process_group=\"\",application_group=\"\",code=\"200\"}} {3 + earlierScrapes}\n", metrics);
        Assert.Contains("wsgihost_requests_total{vhost=\"a.test\",process_group=\"\",application_group=\"\",code=\"404\"} 1\n", metrics);
        Assert.Contains("wsgihost_requests_total{vhost=\"b.test\",process_group=\"counted\",application_group=\"b-app\",code=\"200\"} 7\n", metrics);
        Assert.DoesNotContain("vhost=\"b.test\",process_group=\"\"", metrics);
        Assert.Contains("wsgihost_request_duration_seconds_bucket{vhost=\"b.test\",process_group=\"counted\",le=\"+Inf\"} 7\n", metrics);
        Assert.Contains("wsgihost_request_duration_seconds_count{vhost=\"b.test\",process_group=\"counted\"} 7\n", metrics);
        Assert.Contains($"wsgihost_request_duration_seconds_count{{vhost=\"a.test\",process_group=\"\"}} {4 + earlierScrapes}\n", metrics);
        Assert.Contains("wsgihost_requests_in_flight 1\n", metrics);   // this scrape
        Assert.Contains("wsgihost_wsgi_queue_length{process_group=\"counted\"} 0\n", metrics);
        Assert.Contains("wsgihost_wsgi_threads{process_group=\"counted\"} 2\n", metrics);
        Assert.Contains("wsgihost_daemon_worker_restarts_total{process_group=\"counted\",reason=\"crash\"} 0\n", metrics);
        Assert.Contains("wsgihost_daemon_worker_restarts_total{process_group=\"counted\",reason=\"request-timeout\"} 0\n", metrics);

        // Memory as the kernel counts it: a worker with Python loaded, and the server.
        long workerRss = long.Parse(Regex.Match(metrics, @"wsgihost_daemon_worker_resident_memory_bytes\{process_group=""counted"",worker=""0""\} (\d+)\n").Groups[1].Value,
            System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(workerRss, 1L << 20, 1L << 34);
        Assert.Matches(@"\nprocess_resident_memory_bytes \d{7,}\n", metrics);
        // The server's own .NET allocations: it has served requests, so it has allocated.
        Assert.Matches(@"\ndotnet_gc_allocated_bytes_total [1-9]\d{3,}\n", metrics);
        Assert.Matches(@"\ndotnet_gc_collections_total\{generation=""2""\} \d+\n", metrics);
        // The thread pool has run Kestrel's work for the requests served before this scrape.
        Assert.Matches(@"\ndotnet_thread_pool_work_items_total [1-9]\d*\n", metrics);
        Assert.Matches(@"\ndotnet_thread_pool_threads [1-9]\d*\n", metrics);
        Assert.Matches(@"\ndotnet_monitor_lock_contentions_total \d+\n", metrics);
        // Heap sizes are known once the collector has run (the scrape says whether it has).
        if (!metrics.Contains("\ndotnet_gc_collections_total{generation=\"0\"} 0\n", StringComparison.Ordinal))
        {
            Assert.Matches(@"\ndotnet_gc_heap_size_bytes\{generation=""poh""\} \d+\n", metrics);
            Assert.Matches(@"\ndotnet_gc_committed_bytes [1-9]\d+\n", metrics);
        }

        // Every sample belongs to a family declared just before it (HELP, then TYPE).
        string? family = null;
        foreach (string line in metrics.TrimEnd('\n').Split('\n'))
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                family = line.Split(' ')[2];
                continue;
            }
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                Assert.Equal(family, line.Split(' ')[2]);
                continue;
            }
            Assert.Matches(@"^[a-z_]+(\{[a-z_]+=""[^""]*""(,[a-z_]+=""[^""]*"")*\})? \d+(\.\d+)?(E[-+]\d+)?$", line);
            Assert.StartsWith(family!, line, StringComparison.Ordinal);
        }
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task SigtermWithDrainFailsTheHealthCheckClosesConnectionsAfterEachResponseAndFinishesRunningRequests()
    {
        await using var host = await RunAsync("status.conf", "--drain", "10");
        Task<HttpResponseMessage> running = host.Client.GetAsync("/sleep?2");
        // Running when SIGTERM arrives: in flight next to the scrape that sees it.
        while (!(await host.Client.GetStringAsync("/metrics")).Contains("\nwsgihost_requests_in_flight 2\n", StringComparison.Ordinal))
        {
            Assert.False(running.IsCompleted);
            await Task.Delay(20);
        }
        Assert.Equal("ok\n", await host.Client.GetStringAsync("/healthz"));
        host.SendSignal(15);
        await host.WaitForOutputAsync("WsgiHost stopping");

        // Still accepting during the drain: the health check fails, and every response says
        // Connection: close so a proxy stops reusing its connections to this server.
        using (var fresh = new HttpClient { BaseAddress = host.Client.BaseAddress })
        {
            HttpResponseMessage health = await fresh.GetAsync("/healthz");
            while (health.StatusCode == HttpStatusCode.OK)   // until the drain has begun
            {
                health.Dispose();
                health = await fresh.GetAsync("/healthz");
            }
            using var _ = health;
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Equal("draining\n", await health.Content.ReadAsStringAsync());
            Assert.True(health.Headers.ConnectionClose);
            using HttpResponseMessage app = await fresh.GetAsync("/write");
            Assert.Equal(HttpStatusCode.OK, app.StatusCode);
            Assert.True(app.Headers.ConnectionClose);
        }
        using (HttpResponseMessage finished = await running)
        {
            Assert.Equal(HttpStatusCode.OK, finished.StatusCode);
            Assert.StartsWith("slept", await finished.Content.ReadAsStringAsync());
        }
        Assert.Equal(0, await host.StopAsync(timeoutMs: 60_000));
        Assert.Contains("WsgiHost stopping", host.Output);
    }

    [Fact]
    public async Task GracefulShutdownTimeoutCutsOffARequestStillRunningAfterIt()
    {
        await using var host = await RunAsync("shutdown.conf");
        Task<HttpResponseMessage> running = host.Client.GetAsync("/sleep?4");
        while (!(await host.Client.GetStringAsync("/metrics")).Contains("\nwsgihost_requests_in_flight 2\n", StringComparison.Ordinal))
        {
            Assert.False(running.IsCompleted);
            await Task.Delay(20);
        }
        host.SendSignal(15);
        string log = await host.WaitForLogAsync("still running after GracefulShutdownTimeout 1 s were cut off at shutdown");
        Assert.Contains("raise GracefulShutdownTimeout (serve: --graceful-shutdown-timeout; 0 waits for them)", log, StringComparison.Ordinal);
        await Assert.ThrowsAsync<HttpRequestException>(() => running);
        Assert.Equal(0, await host.WaitForExitAsync(timeoutMs: 60_000));
    }

    /// <summary>
    /// A request that still runs once its WSGI thread has had its time after the cut-off keeps
    /// Python from being finalised under it (that deleted the thread's state while the thread
    /// slept in it): the server says so and exits cleanly without waiting for the request.
    /// </summary>
    [Fact]
    public async Task ARequestStillRunningInPythonAfterTheCutOffLeavesPythonUnfinalised()
    {
        await using var host = await RunAsync("shutdown.conf");
        Task<HttpResponseMessage> running = host.Client.GetAsync("/sleep?40");
        while (!(await host.Client.GetStringAsync("/metrics")).Contains("\nwsgihost_requests_in_flight 2\n", StringComparison.Ordinal))
        {
            Assert.False(running.IsCompleted);
            await Task.Delay(20);
        }
        host.SendSignal(15);
        await host.WaitForLogAsync("WSGI requests were still running when the shutdown timeout ran out; they end with the process, and Python is not finalised");
        await Assert.ThrowsAsync<HttpRequestException>(() => running);
        Assert.Equal(0, await host.WaitForExitAsync(timeoutMs: 25_000));
    }

    private static Task<WsgiHostProcess> RunAsync(string config, params string[] args) => WsgiHostProcess.RunConfigAsync(config, args);

    /// <summary>A GET with a chosen Host header; asserts the status and returns the body.</summary>
    private static async Task<string> GetAsync(WsgiHostProcess host, string virtualHost, string path, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = virtualHost;
        using HttpResponseMessage response = await host.Client.SendAsync(request);
        Assert.Equal(expected, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
