namespace WsgiHost.Server;

/// <summary>The gauges a scrape reads at that moment: queues, threads, workers and their memory.</summary>
internal sealed record MetricsReadings(int EmbeddedQueueLength, int EmbeddedThreads, IReadOnlyList<DaemonGroupReading> Groups, long? ServerResidentBytes)
{
    /// <summary>The server process's .NET garbage collector: bytes allocated since start, and collections by generation (0, 1, 2).</summary>
    public GcReading? Gc { get; init; }
}

/// <summary>What the .NET runtime's collector reports for this process; each figure only grows.</summary>
internal sealed record GcReading(long AllocatedBytes, IReadOnlyList<int> Collections)
{
    public static GcReading Now() => new(GC.GetTotalAllocatedBytes(), [.. Enumerable.Range(0, GC.MaxGeneration + 1).Select(GC.CollectionCount)]);
}

/// <summary>One daemon group at scrape time; a worker's memory is null when it exited while being read.</summary>
internal sealed record DaemonGroupReading(string Name, int QueueLength, int Threads, IReadOnlyList<(int Slot, long? ResidentBytes)> Workers);
