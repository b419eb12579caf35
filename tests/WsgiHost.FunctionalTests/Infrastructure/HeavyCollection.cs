namespace WsgiHost.FunctionalTests.Infrastructure;

/// <summary>
/// Tests that load both cores for a while (a headless browser, nginx in front of two servers
/// under client loops): they run alone, after the parallel collections, so their own waits
/// and everyone else's are not decided by contention on a 2-core machine.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeavyCollection
{
    public const string Name = "Heavy";
}
