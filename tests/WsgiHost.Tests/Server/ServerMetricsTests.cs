using WsgiHost.Daemon;
using WsgiHost.Server;

namespace WsgiHost.Tests.Server;

public sealed class ServerMetricsTests
{
    private static readonly MetricsReadings s_idle = new(0, 5, [new DaemonGroupReading("d", 2, 6, [(0, 1048576), (1, null)])], 4096);

    [Fact]
    public void RequestsCountByVirtualHostProcessGroupApplicationGroupAndExactCode()
    {
        var metrics = new ServerMetrics();
        Record(metrics, "a.test", "", "", 200, 0.002);
        Record(metrics, "a.test", "", "", 200, 0.3);
        Record(metrics, "a.test", "", "", 404, 0.001);
        Record(metrics, "b.test", "d", "app", 503, 20);
        Record(metrics, "b.test", "d", "app", 999, 0.02);
        string text = metrics.Prometheus(s_idle);

        Assert.Contains("wsgihost_requests_total{vhost=\"a.test\",process_group=\"\",application_group=\"\",code=\"200\"} 2\n", text);
        Assert.Contains("wsgihost_requests_total{vhost=\"a.test\",process_group=\"\",application_group=\"\",code=\"404\"} 1\n", text);
        Assert.Contains("wsgihost_requests_total{vhost=\"b.test\",process_group=\"d\",application_group=\"app\",code=\"503\"} 1\n", text);
        Assert.Contains("wsgihost_requests_total{vhost=\"b.test\",process_group=\"d\",application_group=\"app\",code=\"other\"} 1\n", text);
        Assert.DoesNotContain("code=\"500\"", text);
        Assert.Equal(5, metrics.Total);
    }

    [Fact]
    public void TheLatencyHistogramIsPerVirtualHostAndProcessGroup()
    {
        var metrics = new ServerMetrics();
        Record(metrics, "a.test", "", "one", 200, 0.002);
        Record(metrics, "a.test", "", "two", 200, 0.3);
        Record(metrics, "a.test", "", "two", 200, 60);
        string text = metrics.Prometheus(s_idle);

        Assert.Contains("wsgihost_request_duration_seconds_bucket{vhost=\"a.test\",process_group=\"\",le=\"0.005\"} 1\n", text);
        Assert.Contains("wsgihost_request_duration_seconds_bucket{vhost=\"a.test\",process_group=\"\",le=\"0.25\"} 1\n", text);
        Assert.Contains("wsgihost_request_duration_seconds_bucket{vhost=\"a.test\",process_group=\"\",le=\"0.5\"} 2\n", text);
        Assert.Contains("wsgihost_request_duration_seconds_bucket{vhost=\"a.test\",process_group=\"\",le=\"10\"} 2\n", text);
        Assert.Contains("wsgihost_request_duration_seconds_bucket{vhost=\"a.test\",process_group=\"\",le=\"+Inf\"} 3\n", text);
        Assert.Contains("wsgihost_request_duration_seconds_sum{vhost=\"a.test\",process_group=\"\"} 60.302\n", text);
        Assert.Contains("wsgihost_request_duration_seconds_count{vhost=\"a.test\",process_group=\"\"} 3\n", text);
    }

    [Fact]
    public void InFlightGoesUpAtBeginAndDownAtEnd()
    {
        var metrics = new ServerMetrics();
        metrics.Begin();
        metrics.Begin();
        metrics.End(metrics.Series("a", "", ""), 200, TimeSpan.Zero, 10);
        Assert.Contains("\nwsgihost_requests_in_flight 1\n", metrics.Prometheus(s_idle));
        Assert.Contains("\nwsgihost_response_bytes_total 10\n", metrics.Prometheus(s_idle));
    }

    [Fact]
    public void RestartsShowEveryReasonOfADeclaredGroupFromZero()
    {
        var metrics = new ServerMetrics();
        metrics.DeclareProcessGroup("d");
        metrics.WorkerRestarted("d", WorkerRestartReason.MaximumRequests);
        metrics.WorkerRestarted("d", WorkerRestartReason.MaximumRequests);
        metrics.WorkerRestarted("d", WorkerRestartReason.Signal);
        string text = metrics.Prometheus(s_idle);

        Assert.Contains("wsgihost_daemon_worker_restarts_total{process_group=\"d\",reason=\"maximum-requests\"} 2\n", text);
        Assert.Contains("wsgihost_daemon_worker_restarts_total{process_group=\"d\",reason=\"signal\"} 1\n", text);
        Assert.Contains("wsgihost_daemon_worker_restarts_total{process_group=\"d\",reason=\"deadlock-timeout\"} 0\n", text);
        Assert.Contains("wsgihost_daemon_worker_restarts_total{process_group=\"d\",reason=\"reload\"} 0\n", text);
    }

    [Fact]
    public void GaugesComeFromTheReadingsAndAWorkerWithoutMemoryIsLeftOut()
    {
        string text = new ServerMetrics().Prometheus(s_idle);
        Assert.Contains("wsgihost_wsgi_queue_length{process_group=\"\"} 0\n", text);
        Assert.Contains("wsgihost_wsgi_queue_length{process_group=\"d\"} 2\n", text);
        Assert.Contains("wsgihost_wsgi_threads{process_group=\"\"} 5\n", text);
        Assert.Contains("wsgihost_wsgi_threads{process_group=\"d\"} 6\n", text);
        Assert.Contains("wsgihost_daemon_workers{process_group=\"d\"} 2\n", text);
        Assert.Contains("wsgihost_daemon_worker_resident_memory_bytes{process_group=\"d\",worker=\"0\"} 1048576\n", text);
        Assert.DoesNotContain("worker=\"1\"", text);
        Assert.Contains("\nprocess_resident_memory_bytes 4096\n", text);
        Assert.DoesNotContain("dotnet_gc_", text);
    }

    [Fact]
    public void TheCollectorsFiguresAreCountersByGeneration()
    {
        string text = new ServerMetrics().Prometheus(s_idle with { Gc = new GcReading(123456, [40, 3, 1]) });
        Assert.Contains("# TYPE dotnet_gc_allocated_bytes_total counter\ndotnet_gc_allocated_bytes_total 123456\n", text);
        Assert.Contains("# TYPE dotnet_gc_collections_total counter\n", text);
        Assert.Contains("\ndotnet_gc_collections_total{generation=\"0\"} 40\ndotnet_gc_collections_total{generation=\"1\"} 3\ndotnet_gc_collections_total{generation=\"2\"} 1\n", text);
    }

    [Fact]
    public void HeapSizesAreGaugesByGenerationOnceTheCollectorHasRun()
    {
        string before = new ServerMetrics().Prometheus(s_idle with { Gc = new GcReading(1, [0, 0, 0]) });
        Assert.DoesNotContain("dotnet_gc_heap_size_bytes", before);
        Assert.DoesNotContain("dotnet_gc_committed_bytes", before);

        string text = new ServerMetrics().Prometheus(s_idle with { Gc = new GcReading(1, [1, 0, 0]) { HeapBytes = [10, 20, 30, 40, 50], CommittedBytes = 4194304 } });
        Assert.Contains("# TYPE dotnet_gc_heap_size_bytes gauge\n", text);
        Assert.Contains("\ndotnet_gc_heap_size_bytes{generation=\"0\"} 10\ndotnet_gc_heap_size_bytes{generation=\"1\"} 20\ndotnet_gc_heap_size_bytes{generation=\"2\"} 30\n"
            + "dotnet_gc_heap_size_bytes{generation=\"loh\"} 40\ndotnet_gc_heap_size_bytes{generation=\"poh\"} 50\n", text);
        Assert.Contains("# TYPE dotnet_gc_committed_bytes gauge\ndotnet_gc_committed_bytes 4194304\n", text);
    }

    [Fact]
    public void LocksAndTheThreadPoolAreReportedWhenRead()
    {
        Assert.DoesNotContain("dotnet_thread_pool", new ServerMetrics().Prometheus(s_idle));
        string text = new ServerMetrics().Prometheus(s_idle with { Threading = new ThreadingReading(17, 4, 2, 12345) });
        Assert.Contains("# TYPE dotnet_monitor_lock_contentions_total counter\ndotnet_monitor_lock_contentions_total 17\n", text);
        Assert.Contains("# TYPE dotnet_thread_pool_threads gauge\ndotnet_thread_pool_threads 4\n", text);
        Assert.Contains("# TYPE dotnet_thread_pool_queue_length gauge\ndotnet_thread_pool_queue_length 2\n", text);
        Assert.Contains("# TYPE dotnet_thread_pool_work_items_total counter\ndotnet_thread_pool_work_items_total 12345\n", text);
    }

    [Fact]
    public void SeriesBeyondTheLimitCountUnderOther()
    {
        var metrics = new ServerMetrics();
        for (int i = 0; i < ServerMetrics.MaxSeries + 3; i++)
        {
            Record(metrics, "v", "", $"group-{i}", 200, 0);
        }
        string text = metrics.Prometheus(s_idle);
        Assert.Equal(ServerMetrics.MaxSeries + 1, text.Split('\n').Count(l => l.StartsWith("wsgihost_requests_total{", StringComparison.Ordinal)));
        Assert.Contains("wsgihost_requests_total{vhost=\"(other)\",process_group=\"(other)\",application_group=\"(other)\",code=\"200\"} 3\n", text);
        Assert.Equal(ServerMetrics.MaxSeries + 3, metrics.Total);
    }

    private static void Record(ServerMetrics metrics, string vhost, string processGroup, string applicationGroup, int status, double seconds)
    {
        metrics.Begin();
        metrics.End(metrics.Series(vhost, processGroup, applicationGroup), status, TimeSpan.FromSeconds(seconds), 0);
    }
}
