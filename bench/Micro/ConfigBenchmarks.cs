using BenchmarkDotNet.Attributes;
using WsgiHost.Configuration.Directives;
using WsgiHost.Configuration.Lints;
using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Benchmarks;

/// <summary>
/// Reading a large configuration (<see cref="LargeSite"/>: 200 virtual hosts): what `run` and a
/// SIGHUP reload do before serving (<see cref="SiteConfigBuilder"/>: syntax tree, directives,
/// model), and what `check` does (the same, plus every lint, which reads the 200 scripts).
/// </summary>
[MemoryDiagnoser]
public class ConfigBenchmarks
{
    private LargeSite _site = null!;

    [GlobalSetup]
    public void Setup()
    {
        _site = LargeSite.Create();
        // A benchmark of a config that fails to build would measure the error path: refuse it.
        SiteConfigResult result = SiteConfigBuilder.Load(_site.ConfigPath);
        if (result.Config == null)
        {
            throw new InvalidOperationException("the generated config has errors:\n" + string.Join("\n", result.Diagnostics.Select(d => $"{d.Location}: {d.Message}")));
        }
        Console.WriteLine($"// {_site.ConfigPath}: {_site.Text.Length} characters, {result.Config.VirtualHosts.Count} virtual hosts, {result.Diagnostics.Count} diagnostic(s), {SiteLints.Run(result.Config, 2).Count} lint warning(s)");
    }

    [GlobalCleanup]
    public void Cleanup() => _site.Dispose();

    [Benchmark(Description = "SiteConfigBuilder.FromText (200 vhosts)")]
    public int FromText() => SiteConfigBuilder.FromText(_site.Text, _site.ConfigPath).Config!.VirtualHosts.Count;

    [Benchmark(Description = "check: Load + SiteLints.Run (200 vhosts)")]
    public int Check()
    {
        SiteConfigResult result = SiteConfigBuilder.Load(_site.ConfigPath);
        return result.Diagnostics.Count(d => d.Severity != DiagnosticSeverity.Note) + SiteLints.Run(result.Config!, 2).Count;
    }
}
