namespace WsgiHost.Server;

/// <summary>
/// The counters of one label set (virtual host, process group, application group): requests
/// by exact status code and a latency histogram. Updated with Interlocked only, so the request
/// path takes no lock; read at scrape time.
/// </summary>
internal sealed class RequestSeries(string virtualHost, string processGroup, string applicationGroup)
{
    /// <summary>Histogram bucket upper bounds in seconds (Prometheus' "le"), the client libraries' defaults.</summary>
    public static IReadOnlyList<double> Buckets { get; } = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private const int FirstCode = 100;
    private const int LastCode = 599;

    // One slot per status code 100-599 and one for anything else: the code label stays exact
    // and its values bounded (an app can only choose among these 501).
    private readonly long[] _byCode = new long[LastCode - FirstCode + 2];
    private readonly long[] _buckets = new long[Buckets.Count + 1];
    private long _durationMicroseconds;

    public string VirtualHost { get; } = virtualHost;

    public string ProcessGroup { get; } = processGroup;

    public string ApplicationGroup { get; } = applicationGroup;

    public void Add(int status, TimeSpan duration)
    {
        int slot = status is >= FirstCode and <= LastCode ? status - FirstCode : _byCode.Length - 1;
        Interlocked.Increment(ref _byCode[slot]);
        Interlocked.Add(ref _durationMicroseconds, (long)duration.TotalMicroseconds);
        double seconds = duration.TotalSeconds;
        int bucket = 0;
        while (bucket < Buckets.Count && seconds > Buckets[bucket])
        {
            bucket++;
        }
        Interlocked.Increment(ref _buckets[bucket]);
    }

    /// <summary>The status codes seen so far and their counts ("other" outside 100-599).</summary>
    public IEnumerable<(string Code, long Count)> Codes()
    {
        for (int i = 0; i < _byCode.Length; i++)
        {
            long count = Interlocked.Read(ref _byCode[i]);
            if (count > 0)
            {
                yield return (i == _byCode.Length - 1 ? "other" : (FirstCode + i).ToString(System.Globalization.CultureInfo.InvariantCulture), count);
            }
        }
    }

    public long Total => Codes().Sum(c => c.Count);

    /// <summary>Adds this series' bucket counts (one per bound plus the overflow) and duration sum to the totals given.</summary>
    public void AddHistogramTo(long[] counts, ref double seconds)
    {
        for (int i = 0; i < _buckets.Length; i++)
        {
            counts[i] += Interlocked.Read(ref _buckets[i]);
        }
        seconds += Interlocked.Read(ref _durationMicroseconds) / 1e6;
    }
}
