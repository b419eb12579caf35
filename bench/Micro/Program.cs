using BenchmarkDotNet.Running;

namespace WsgiHost.Benchmarks;

/// <summary>
/// Micro-benchmarks of the parts of the request path that can be measured alone: see
/// bench/README.md ("Micro-benchmarks"). Run with bench/micro.sh; arguments are
/// BenchmarkDotNet's (--filter, --job short, --list flat...).
/// </summary>
internal static class Program
{
    public static void Main(string[] args)
    {
        List<Type> benchmarks = [typeof(EnvironBenchmarks), typeof(DaemonProtocolBenchmarks), typeof(ConfigBenchmarks), typeof(RoutingBenchmarks)];
        if (PythonEnvironBenchmarks.WhyUnavailable() is string why)
        {
            Console.Error.WriteLine($"// skipping {nameof(PythonEnvironBenchmarks)}: {PythonEnvironBenchmarks.Python} cannot be embedded ({why}); install python3 (Debian) to measure it");
        }
        else
        {
            benchmarks.Add(typeof(PythonEnvironBenchmarks));
        }
        BenchmarkSwitcher.FromTypes([.. benchmarks]).Run(args);
    }
}
