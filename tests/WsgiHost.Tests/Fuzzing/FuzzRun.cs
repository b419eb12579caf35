using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace WsgiHost.Tests.Fuzzing;

/// <summary>
/// Runs a fuzz target over many generated inputs. The run's seed is printed and named in every
/// failure, and each input has its own seed derived from it, so <c>WSGIHOST_FUZZ_SEED=S</c>
/// replays a failing run exactly. Without it the seed changes every run (new inputs in every CI
/// build). Each input runs under a timeout: a parser that loops forever fails the test instead
/// of hanging it. The run stops after a time budget, so the whole suite stays fast on a loaded machine.
/// </summary>
internal static class FuzzRun
{
    private static readonly TimeSpan PerInputTimeout = TimeSpan.FromSeconds(10);

    public static int Seed(ITestOutputHelper output, string target)
    {
        string? fixedSeed = Environment.GetEnvironmentVariable("WSGIHOST_FUZZ_SEED");
        int seed = fixedSeed != null ? int.Parse(fixedSeed, CultureInfo.InvariantCulture) : Random.Shared.Next();
        output.WriteLine($"{target}: seed {seed} (replay with WSGIHOST_FUZZ_SEED={seed})");
        return seed;
    }

    /// <summary>
    /// Runs <paramref name="check"/> on up to <paramref name="count"/> inputs made by
    /// <paramref name="make"/> from a per-input Random, within <paramref name="budget"/>; returns how many ran.
    /// </summary>
    public static int Run<T>(ITestOutputHelper output, string target, int count, TimeSpan budget, Func<Random, T> make, Action<T> check, Func<T, string> describe)
    {
        int seed = Seed(output, target);
        var clock = Stopwatch.StartNew();
        int ran = 0;
        for (int i = 0; i < count && (ran < 50 || clock.Elapsed < budget); i++)
        {
            // Not HashCode.Combine: it is salted per process, and a replay must make the same inputs.
            T input = make(new Random(unchecked((int)((uint)seed * 2654435761u) ^ i)));
            Task work = Task.Run(() => check(input));
            bool finished;
            try
            {
                finished = work.Wait(PerInputTimeout);
            }
            catch (AggregateException e)
            {
                throw new Xunit.Sdk.XunitException($"{target}: seed {seed}, input #{i} failed with {e.InnerException}\ninput: {describe(input)}");
            }
            if (!finished)
            {
                throw new Xunit.Sdk.XunitException($"{target}: seed {seed}, input #{i} still running after {PerInputTimeout.TotalSeconds} s (a hang)\ninput: {describe(input)}");
            }
            ran++;
        }
        output.WriteLine($"{target}: {ran} inputs in {clock.Elapsed.TotalSeconds:F1} s");
        return ran;
    }
}
