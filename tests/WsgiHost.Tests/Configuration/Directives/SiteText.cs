using WsgiHost.Configuration.Directives;
using WsgiHost.Configuration.Model;
using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Tests.Configuration.Directives;

/// <summary>Builds raw configuration text as if read from site.conf, and picks diagnostics out of the result.</summary>
internal static class SiteText
{
    public const string File = "site.conf";

    public static SiteConfigResult Build(string text) => SiteConfigBuilder.FromText(text, File);

    /// <summary>The model of <paramref name="text"/>; fails on any error (warnings and notes are allowed).</summary>
    public static SiteConfig Config(string text)
    {
        var result = Build(text);
        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        Assert.NotNull(result.Config);
        return result.Config!;
    }

    /// <summary>The model of <paramref name="text"/>; fails on any diagnostic but notes.</summary>
    public static SiteConfig Clean(string text)
    {
        var result = Build(text);
        Assert.True(result.Diagnostics.All(d => d.Severity == DiagnosticSeverity.Note), string.Join("\n", result.Diagnostics));
        return result.Config!;
    }

    public static IReadOnlyList<ConfigDiagnostic> Errors(string text) =>
        [.. Build(text).Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)];

    /// <summary>The only error of <paramref name="text"/>; the model is null.</summary>
    public static ConfigDiagnostic Error(string text)
    {
        var result = Build(text);
        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 1, string.Join("\n", result.Diagnostics));
        Assert.Null(result.Config);
        return errors[0];
    }

    /// <summary>The only warning of <paramref name="text"/>, which has no error.</summary>
    public static ConfigDiagnostic Warning(string text)
    {
        var result = Build(text);
        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        var warnings = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Warning).ToList();
        Assert.True(warnings.Count == 1, string.Join("\n", result.Diagnostics));
        return warnings[0];
    }

    public static IReadOnlyList<ConfigDiagnostic> Notes(string text) =>
        [.. Build(text).Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Note)];

    /// <summary>Asserts where a diagnostic points, what it names and that it offers a fix.</summary>
    public static void At(this ConfigDiagnostic diagnostic, int line, string directive, bool hasFix = true)
    {
        Assert.Equal(new SourceLocation(File, line), diagnostic.Location);
        Assert.Equal(directive, diagnostic.Directive);
        if (hasFix)
        {
            Assert.False(string.IsNullOrEmpty(diagnostic.Fix), diagnostic.ToString());
        }
        else
        {
            Assert.Null(diagnostic.Fix);
        }
    }
}
