namespace WsgiHost.Server;

/// <summary>The gauges a scrape reads at that moment: queues, threads, workers and their memory.</summary>
internal sealed record MetricsReadings(int EmbeddedQueueLength, int EmbeddedThreads, IReadOnlyList<DaemonGroupReading> Groups, long? ServerResidentBytes);

/// <summary>One daemon group at scrape time; a worker's memory is null when it exited while being read.</summary>
internal sealed record DaemonGroupReading(string Name, int QueueLength, int Threads, IReadOnlyList<(int Slot, long? ResidentBytes)> Workers);
