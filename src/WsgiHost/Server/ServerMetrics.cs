using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using WsgiHost.Daemon;

namespace WsgiHost.Server;

/// <summary>
/// What the server has done since it started, counted without locks on the request path:
/// requests by virtual host, process group, application group and status code, in flight, a
/// latency histogram, daemon worker restarts by reason. Read by the server-status page and the
/// Prometheus endpoint (<see cref="Prometheus"/>).
/// </summary>
internal sealed class ServerMetrics
{
    /// <summary>
    /// At most this many (virtual host, process group, application group) series; requests of
    /// any further combination count under "(other)" so a scrape stays small whatever happens.
    /// </summary>
    public const int MaxSeries = 500;

    internal const string Other = "(other)";

    private readonly ConcurrentDictionary<(string VirtualHost, string ProcessGroup, string ApplicationGroup), RequestSeries> _series = new();
    private readonly RequestSeries _overflow = new(Other, Other, Other);
    private readonly ConcurrentDictionary<string, long[]> _restarts = new(StringComparer.Ordinal);
    private long _inFlight;
    private long _bytesSent;

    public DateTimeOffset Started { get; } = DateTimeOffset.UtcNow;

    private volatile bool _draining;

    /// <summary>Set once shutdown begins: health checks then fail so load balancers stop sending.</summary>
    public bool Draining
    {
        get => _draining;
        set => _draining = value;
    }

    private volatile bool _handingOver;

    /// <summary>
    /// Set when a new server process has taken this one's place (a reload): every response then
    /// closes its connection, so clients reconnect to the new process; health checks still pass,
    /// as the site goes on.
    /// </summary>
    public bool HandingOver
    {
        get => _handingOver;
        set => _handingOver = value;
    }

    public long InFlight => Interlocked.Read(ref _inFlight);

    public long Total => _series.Values.Append(_overflow).Sum(s => s.Total);

    public void Begin() => Interlocked.Increment(ref _inFlight);

    /// <summary>
    /// The series a request counts in. Known combinations (every one after its first request)
    /// are a lock-free dictionary read; <paramref name="processGroup"/> is "" for embedded
    /// mode and <paramref name="applicationGroup"/> "" for %{GLOBAL}, as mod_wsgi names them.
    /// </summary>
    public RequestSeries Series(string virtualHost, string processGroup, string applicationGroup)
    {
        var key = (virtualHost, processGroup, applicationGroup);
        if (_series.TryGetValue(key, out RequestSeries? series))
        {
            return series;
        }
        return _series.Count >= MaxSeries ? _overflow : _series.GetOrAdd(key, k => new RequestSeries(k.VirtualHost, k.ProcessGroup, k.ApplicationGroup));
    }

    public void End(RequestSeries series, int status, TimeSpan duration, long bytes)
    {
        Interlocked.Decrement(ref _inFlight);
        Interlocked.Add(ref _bytesSent, bytes);
        series.Add(status, duration);
    }

    /// <summary>Makes a daemon group's restart counters exist (at 0 for every reason) before anything happens.</summary>
    public void DeclareProcessGroup(string name) => _restarts.GetOrAdd(name, _ => new long[WorkerRestartReasons.All.Count]);

    public void WorkerRestarted(string processGroup, WorkerRestartReason reason)
    {
        long[] counts = _restarts.GetOrAdd(processGroup, _ => new long[WorkerRestartReasons.All.Count]);
        Interlocked.Increment(ref counts[(int)reason]);
    }

    /// <summary>The Prometheus text exposition format, with the gauges read now.</summary>
    public string Prometheus(MetricsReadings now)
    {
        var text = new PrometheusText();
        RequestSeries[] series = [.. _series.Values.OrderBy(s => s.VirtualHost, StringComparer.Ordinal)
            .ThenBy(s => s.ProcessGroup, StringComparer.Ordinal).ThenBy(s => s.ApplicationGroup, StringComparer.Ordinal)];
        if (_overflow.Total > 0)
        {
            series = [.. series, _overflow];
        }

        text.Family("wsgihost_requests_total", "counter",
            "Requests answered, by virtual host (ServerName), daemon process group (\"\" = embedded), application group (\"\" = %{GLOBAL}) and status code.");
        foreach (RequestSeries s in series)
        {
            foreach (var (code, count) in s.Codes())
            {
                text.Sample("wsgihost_requests_total", count, ("vhost", s.VirtualHost), ("process_group", s.ProcessGroup), ("application_group", s.ApplicationGroup), ("code", code));
            }
        }

        text.Family("wsgihost_request_duration_seconds", "histogram",
            "Time from the request to the end of its response, by virtual host and daemon process group.");
        foreach (var byHostAndGroup in series.GroupBy(s => (s.VirtualHost, s.ProcessGroup)))
        {
            long[] counts = new long[RequestSeries.Buckets.Count + 1];
            double sum = 0;
            foreach (RequestSeries s in byHostAndGroup)
            {
                s.AddHistogramTo(counts, ref sum);
            }
            text.Histogram("wsgihost_request_duration_seconds", RequestSeries.Buckets, counts, sum,
                ("vhost", byHostAndGroup.Key.VirtualHost), ("process_group", byHostAndGroup.Key.ProcessGroup));
        }

        text.Family("wsgihost_requests_in_flight", "gauge", "Requests being served now.")
            .Sample("wsgihost_requests_in_flight", InFlight);
        text.Family("wsgihost_response_bytes_total", "counter", "Response body bytes sent.")
            .Sample("wsgihost_response_bytes_total", Interlocked.Read(ref _bytesSent));

        text.Family("wsgihost_wsgi_queue_length", "gauge",
            "Requests waiting for a free WSGI thread, by process group (\"\" = the embedded threads).");
        text.Sample("wsgihost_wsgi_queue_length", now.EmbeddedQueueLength, ("process_group", ""));
        foreach (DaemonGroupReading g in now.Groups)
        {
            text.Sample("wsgihost_wsgi_queue_length", g.QueueLength, ("process_group", g.Name));
        }
        text.Family("wsgihost_wsgi_threads", "gauge", "WSGI request threads, by process group (\"\" = embedded; a daemon group's processes x threads).");
        text.Sample("wsgihost_wsgi_threads", now.EmbeddedThreads, ("process_group", ""));
        foreach (DaemonGroupReading g in now.Groups)
        {
            text.Sample("wsgihost_wsgi_threads", g.Threads, ("process_group", g.Name));
        }

        text.Family("wsgihost_daemon_workers", "gauge", "Running worker processes, by daemon process group.");
        foreach (DaemonGroupReading g in now.Groups)
        {
            text.Sample("wsgihost_daemon_workers", g.Workers.Count, ("process_group", g.Name));
        }
        text.Family("wsgihost_daemon_worker_restarts_total", "counter",
            "Daemon workers replaced, by process group and reason (maximum-requests, restart-interval, inactivity-timeout, startup-timeout, deadlock-timeout, script-changed, eviction (SIGUSR1 to the worker), request-timeout, cpu-time-limit, reload: SIGHUP changed the group, signal: killed or stopped from outside, crash: any other exit).");
        foreach (var (group, counts) in _restarts.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            foreach (WorkerRestartReason reason in WorkerRestartReasons.All)
            {
                text.Sample("wsgihost_daemon_worker_restarts_total", Interlocked.Read(ref counts[(int)reason]), ("process_group", group), ("reason", reason.Label()));
            }
        }
        text.Family("wsgihost_daemon_worker_resident_memory_bytes", "gauge",
            "Resident memory (VmRSS) of each daemon worker, by process group and worker slot (a replaced worker takes its slot).");
        foreach (DaemonGroupReading g in now.Groups)
        {
            foreach (var (slot, rss) in g.Workers)
            {
                if (rss is { } bytes)
                {
                    text.Sample("wsgihost_daemon_worker_resident_memory_bytes", bytes, ("process_group", g.Name), ("worker", slot.ToString(CultureInfo.InvariantCulture)));
                }
            }
        }
        if (now.ServerResidentBytes is { } serverRss)
        {
            text.Family("process_resident_memory_bytes", "gauge", "Resident memory (VmRSS) of the server process.")
                .Sample("process_resident_memory_bytes", serverRss);
        }
        if (now.Gc is { } gc)
        {
            // Bytes allocated a request set how often the collector runs (a 2 MiB gen0 budget in
            // the published server): the figure a change on the request path moves first.
            text.Family("dotnet_gc_allocated_bytes_total", "counter", "Bytes the server process's .NET code has allocated since it started.")
                .Sample("dotnet_gc_allocated_bytes_total", gc.AllocatedBytes);
            text.Family("dotnet_gc_collections_total", "counter", "Garbage collections of the server process since it started, by generation.");
            for (int generation = 0; generation < gc.Collections.Count; generation++)
            {
                text.Sample("dotnet_gc_collections_total", gc.Collections[generation], ("generation", generation.ToString(CultureInfo.InvariantCulture)));
            }
            // Where the server's own memory sits: the transport's buffers are on the pinned heap
            // (poh), a leak shows as generation 2 growing from scrape to scrape.
            if (gc.HeapBytes.Count > 0)
            {
                text.Family("dotnet_gc_heap_size_bytes", "gauge", "Bytes in each heap of the server process's collector after its last collection, by generation (0, 1, 2, loh: large objects, poh: pinned objects).");
                for (int heap = 0; heap < gc.HeapBytes.Count; heap++)
                {
                    text.Sample("dotnet_gc_heap_size_bytes", gc.HeapBytes[heap], ("generation", GcReading.HeapNames[heap]));
                }
                text.Family("dotnet_gc_committed_bytes", "gauge", "Memory the server process's collector had committed at its last collection.")
                    .Sample("dotnet_gc_committed_bytes", gc.CommittedBytes);
            }
        }
        if (now.Threading is { } threading)
        {
            text.Family("dotnet_monitor_lock_contentions_total", "counter", "Times a thread of the server process found a lock held and waited for it, since it started.")
                .Sample("dotnet_monitor_lock_contentions_total", threading.LockContentions);
            text.Family("dotnet_thread_pool_threads", "gauge", "Threads in the server process's .NET thread pool.")
                .Sample("dotnet_thread_pool_threads", threading.PoolThreads);
            text.Family("dotnet_thread_pool_queue_length", "gauge", "Work items queued to the server process's thread pool and not yet started.")
                .Sample("dotnet_thread_pool_queue_length", threading.PoolQueueLength);
            text.Family("dotnet_thread_pool_work_items_total", "counter", "Work items the server process's thread pool has run since it started.")
                .Sample("dotnet_thread_pool_work_items_total", threading.PoolCompleted);
        }
        text.Family("wsgihost_uptime_seconds", "gauge", "Seconds since the server started.")
            .Sample("wsgihost_uptime_seconds", (long)(DateTimeOffset.UtcNow - Started).TotalSeconds);
        return text.ToString();
    }

    /// <summary>mod_status's machine-readable page (server-status?auto), with the fields that apply.</summary>
    public string StatusAuto(int busyThreads, int idleThreads)
    {
        long total = Total;
        double uptime = Math.Max(1, (DateTimeOffset.UtcNow - Started).TotalSeconds);
        var b = new StringBuilder();
        b.Append(CultureInfo.InvariantCulture, $"ServerVersion: {WsgiServer.ServerSoftware}\n");
        b.Append(CultureInfo.InvariantCulture, $"ServerUptimeSeconds: {(long)uptime}\n");
        b.Append(CultureInfo.InvariantCulture, $"Total Accesses: {total}\n");
        b.Append(CultureInfo.InvariantCulture, $"Total kBytes: {Interlocked.Read(ref _bytesSent) / 1024}\n");
        b.Append(CultureInfo.InvariantCulture, $"ReqPerSec: {total / uptime:0.######}\n");
        b.Append(CultureInfo.InvariantCulture, $"BusyWorkers: {busyThreads}\n");
        b.Append(CultureInfo.InvariantCulture, $"IdleWorkers: {idleThreads}\n");
        return b.ToString();
    }
}
