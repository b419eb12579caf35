namespace WsgiHost.Server;

/// <summary>The gauges a scrape reads at that moment: queues, threads, workers and their memory.</summary>
internal sealed record MetricsReadings(int EmbeddedQueueLength, int EmbeddedThreads, IReadOnlyList<DaemonGroupReading> Groups, long? ServerResidentBytes)
{
    /// <summary>The server process's .NET garbage collector: bytes allocated since start, and collections by generation (0, 1, 2).</summary>
    public GcReading? Gc { get; init; }

    /// <summary>The server process's locks and thread pool.</summary>
    public ThreadingReading? Threading { get; init; }
}

/// <summary>
/// The server process's contended locks and its .NET thread pool, where Kestrel's connections
/// and the daemon relay run: a lock many threads share (the transport's block pool, the WSGI
/// queues) shows as contentions climbing with the load, a starved pool as a queue that stays.
/// </summary>
/// <param name="LockContentions">Times a thread found a lock (Monitor or System.Threading.Lock) held and waited, since start.</param>
/// <param name="PoolThreads">Thread pool threads now.</param>
/// <param name="PoolQueueLength">Work items queued to the thread pool and not yet started.</param>
/// <param name="PoolCompleted">Work items the thread pool has run since start.</param>
internal sealed record ThreadingReading(long LockContentions, int PoolThreads, long PoolQueueLength, long PoolCompleted)
{
    public static ThreadingReading Now() =>
        new(Monitor.LockContentionCount, ThreadPool.ThreadCount, ThreadPool.PendingWorkItemCount, ThreadPool.CompletedWorkItemCount);
}

/// <summary>
/// What the .NET runtime's collector reports for this process: bytes allocated and collections
/// by generation (counters), and, as of the last collection, the bytes each heap holds and the
/// memory it has committed (gauges).
/// </summary>
internal sealed record GcReading(long AllocatedBytes, IReadOnlyList<int> Collections)
{
    /// <summary>The names of <see cref="GCMemoryInfo.GenerationInfo"/>'s entries, in its order.</summary>
    public static readonly IReadOnlyList<string> HeapNames = ["0", "1", "2", "loh", "poh"];

    /// <summary>Bytes in each heap after the last collection, in <see cref="HeapNames"/>' order; empty before the first.</summary>
    public IReadOnlyList<long> HeapBytes { get; init; } = [];

    /// <summary>Memory the collector had committed at the last collection (0 before the first).</summary>
    public long CommittedBytes { get; init; }

    public static GcReading Now()
    {
        GCMemoryInfo info = GC.GetGCMemoryInfo();
        ReadOnlySpan<GCGenerationInfo> heaps = info.GenerationInfo;
        var heapBytes = new long[Math.Min(heaps.Length, HeapNames.Count)];
        for (int i = 0; i < heapBytes.Length; i++)
        {
            heapBytes[i] = heaps[i].SizeAfterBytes;
        }
        return new(GC.GetTotalAllocatedBytes(), [.. Enumerable.Range(0, GC.MaxGeneration + 1).Select(GC.CollectionCount)])
        {
            HeapBytes = info.Index == 0 ? [] : heapBytes,
            CommittedBytes = info.TotalCommittedBytes,
        };
    }
}

/// <summary>One daemon group at scrape time; a worker's memory is null when it exited while being read.</summary>
internal sealed record DaemonGroupReading(string Name, int QueueLength, int Threads, IReadOnlyList<(int Slot, long? ResidentBytes)> Workers);
