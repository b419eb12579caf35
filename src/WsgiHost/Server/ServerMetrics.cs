using System.Globalization;
using System.Text;

namespace WsgiHost.Server;

/// <summary>
/// What the server has done since it started, counted without locks on the request path:
/// requests by status class, in flight, a latency histogram, daemon worker restarts. Read by
/// the server-status page and the Prometheus endpoint.
/// </summary>
internal sealed class ServerMetrics
{
    /// <summary>Histogram bucket upper bounds in seconds (Prometheus' "le").</summary>
    private static readonly double[] s_buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly long[] _byClass = new long[6];
    private readonly long[] _bucketCounts = new long[s_buckets.Length + 1];
    private long _durationMicroseconds;
    private long _inFlight;
    private long _workerRestarts;
    private long _bytesSent;

    public DateTimeOffset Started { get; } = DateTimeOffset.UtcNow;

    /// <summary>Set once shutdown begins: health checks then fail so load balancers stop sending.</summary>
    public bool Draining { get; set; }

    public long InFlight => Interlocked.Read(ref _inFlight);

    public long Total => _byClass.Sum(c => Interlocked.Read(ref c));

    public void Begin() => Interlocked.Increment(ref _inFlight);

    public void End(int status, TimeSpan duration, long bytes)
    {
        Interlocked.Decrement(ref _inFlight);
        Interlocked.Increment(ref _byClass[Math.Clamp(status / 100, 0, 5)]);
        Interlocked.Add(ref _durationMicroseconds, (long)duration.TotalMicroseconds);
        Interlocked.Add(ref _bytesSent, bytes);
        double seconds = duration.TotalSeconds;
        int bucket = 0;
        while (bucket < s_buckets.Length && seconds > s_buckets[bucket])
        {
            bucket++;
        }
        Interlocked.Increment(ref _bucketCounts[bucket]);
    }

    public void WorkerRestarted() => Interlocked.Increment(ref _workerRestarts);

    /// <summary>The Prometheus text exposition format.</summary>
    public string Prometheus(int queueLength, int workerThreads, IReadOnlyDictionary<string, int[]> daemonPids)
    {
        var b = new StringBuilder();
        b.Append("# HELP wsgihost_requests_total Requests answered, by status class.\n# TYPE wsgihost_requests_total counter\n");
        for (int c = 1; c <= 5; c++)
        {
            b.Append(CultureInfo.InvariantCulture, $"wsgihost_requests_total{{status=\"{c}xx\"}} {Interlocked.Read(ref _byClass[c])}\n");
        }
        b.Append("# HELP wsgihost_requests_in_flight Requests being served now.\n# TYPE wsgihost_requests_in_flight gauge\n");
        b.Append(CultureInfo.InvariantCulture, $"wsgihost_requests_in_flight {InFlight}\n");
        b.Append("# HELP wsgihost_wsgi_queue_length Requests waiting for an embedded WSGI thread.\n# TYPE wsgihost_wsgi_queue_length gauge\n");
        b.Append(CultureInfo.InvariantCulture, $"wsgihost_wsgi_queue_length {queueLength}\n");
        b.Append("# HELP wsgihost_wsgi_threads Embedded WSGI request threads.\n# TYPE wsgihost_wsgi_threads gauge\n");
        b.Append(CultureInfo.InvariantCulture, $"wsgihost_wsgi_threads {workerThreads}\n");
        b.Append("# HELP wsgihost_request_duration_seconds Time from request to the end of the response.\n# TYPE wsgihost_request_duration_seconds histogram\n");
        long cumulative = 0;
        for (int i = 0; i < s_buckets.Length; i++)
        {
            cumulative += Interlocked.Read(ref _bucketCounts[i]);
            b.Append(CultureInfo.InvariantCulture, $"wsgihost_request_duration_seconds_bucket{{le=\"{s_buckets[i]}\"}} {cumulative}\n");
        }
        cumulative += Interlocked.Read(ref _bucketCounts[^1]);
        b.Append(CultureInfo.InvariantCulture, $"wsgihost_request_duration_seconds_bucket{{le=\"+Inf\"}} {cumulative}\n");
        b.Append(CultureInfo.InvariantCulture, $"wsgihost_request_duration_seconds_sum {Interlocked.Read(ref _durationMicroseconds) / 1e6}\n");
        b.Append(CultureInfo.InvariantCulture, $"wsgihost_request_duration_seconds_count {cumulative}\n");
        b.Append("# HELP wsgihost_response_bytes_total Response body bytes sent.\n# TYPE wsgihost_response_bytes_total counter\n");
        b.Append(CultureInfo.InvariantCulture, $"wsgihost_response_bytes_total {Interlocked.Read(ref _bytesSent)}\n");
        b.Append("# HELP wsgihost_daemon_workers Running worker processes, by daemon process group.\n# TYPE wsgihost_daemon_workers gauge\n");
        foreach (var (group, pids) in daemonPids)
        {
            b.Append(CultureInfo.InvariantCulture, $"wsgihost_daemon_workers{{group=\"{group.Replace("\"", "\\\"", StringComparison.Ordinal)}\"}} {pids.Length}\n");
        }
        b.Append("# HELP wsgihost_daemon_worker_restarts_total Daemon workers that exited and were replaced.\n# TYPE wsgihost_daemon_worker_restarts_total counter\n");
        b.Append(CultureInfo.InvariantCulture, $"wsgihost_daemon_worker_restarts_total {Interlocked.Read(ref _workerRestarts)}\n");
        b.Append("# HELP wsgihost_uptime_seconds Seconds since the server started.\n# TYPE wsgihost_uptime_seconds gauge\n");
        b.Append(CultureInfo.InvariantCulture, $"wsgihost_uptime_seconds {(long)(DateTimeOffset.UtcNow - Started).TotalSeconds}\n");
        return b.ToString();
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
