using WsgiHost.Configuration.Directives;
using WsgiHost.Configuration.Lints;
using WsgiHost.Configuration.Syntax;
using Xunit.Abstractions;

namespace WsgiHost.Tests.Fuzzing;

/// <summary>
/// The config reader (syntax and directives, then `wsgihost check`'s lints) on thousands of
/// mutations of the real configurations in examples/ and tests/apps/configs: whatever the
/// text, the answer is a model or diagnostics that name file and line, never an exception or a hang.
/// </summary>
public sealed class ConfigFuzzTests(ITestOutputHelper output)
{
    private static readonly Lazy<(string Path, string Text)[]> Corpus = new(() =>
    {
        string root = RepoPaths.Root;
        return [.. new[] { Path.Combine(root, "examples"), Path.Combine(root, "tests", "apps", "configs") }
            .SelectMany(dir => Directory.EnumerateFiles(dir, "*.conf", SearchOption.AllDirectories))
            .Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(f => (f, File.ReadAllText(f)))];
    });

    /// <summary>
    /// An empty folder for the configurations' folders (ServerRoot among them): a mutated relative
    /// Include or wildcard there finds nothing, never a FIFO or device that would block a read.
    /// </summary>
    private static readonly string EmptyRoot = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "fuzz-root")).FullName;

    private static readonly ConfigReaderOptions Options = new()
    {
        Defines = new Dictionary<string, string>
        {
            ["PORT"] = "8080", ["HTTP_PORT"] = "8080", ["HTTPS_PORT"] = "8443", ["SITE_ROOT"] = EmptyRoot,
            ["LOGS"] = EmptyRoot, ["CERTS"] = EmptyRoot, ["OFFICE_NETWORK"] = "10.0.0.0/8",
        },
    };

    [Fact]
    public void TheCorpusIsTheRealConfigurations()
    {
        Assert.True(Corpus.Value.Length >= 10, string.Join(", ", Corpus.Value.Select(c => c.Path)));
    }

    [Fact]
    public void MutatedConfigurationsGiveDiagnosticsWithFileAndLineNeverExceptions()
    {
        int ran = FuzzRun.Run(output, "config reader", 4000, TimeSpan.FromSeconds(8),
            random =>
            {
                var (path, text) = Corpus.Value[random.Next(Corpus.Value.Length)];
                return (Path: path, Text: Mutator.Text(random, text));
            },
            input => Check(input.Path, input.Text),
            input => $"{input.Path} mutated to:\n{Shorten(input.Text)}");
        Assert.True(ran >= 50);
    }

    /// <summary>The contract of reading a configuration, for any text.</summary>
    internal static void Check(string fileName, string text)
    {
        SiteConfigResult result = SiteConfigBuilder.FromText(text, fileName, Options);
        int lines = text.Split('\n').Length;
        foreach (ConfigDiagnostic d in result.Diagnostics)
        {
            Assert.False(string.IsNullOrEmpty(d.Location.File), d.ToString());
            Assert.True(d.Location.Line >= 1, $"line {d.Location.Line}: {d}");
            if (d.Location.File == fileName)
            {
                Assert.True(d.Location.Line <= lines + 1, $"line {d.Location.Line} of a {lines}-line file: {d}");
            }
            Assert.False(string.IsNullOrWhiteSpace(d.Message), d.ToString());
        }
        Assert.Equal(result.HasErrors, result.Config == null);
        if (result.Config != null)
        {
            foreach (ConfigDiagnostic lint in SiteLints.Run(result.Config, processorCount: 2))
            {
                Assert.True(lint.Location.Line >= 1, lint.ToString());
            }
        }
    }

    private static string Shorten(string text) => text.Length <= 4000 ? text : text[..4000] + $"... ({text.Length} characters)";
}
