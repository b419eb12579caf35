using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Tests.Configuration.Syntax;

public sealed class DiagnosticTests : IDisposable
{
    private readonly TempConfigFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void ADiagnosticReadsAsFileLineDirectiveMessageAndFix()
    {
        var withFix = new ConfigDiagnostic(DiagnosticSeverity.Error, new SourceLocation("site.conf", 3), "Include",
            "could not open configuration file x.conf", "use IncludeOptional");
        var withoutFix = withFix with { Fix = null, Directive = "" };

        Assert.Equal("site.conf:3: Include: could not open configuration file x.conf (fix: use IncludeOptional)", withFix.ToString());
        Assert.Equal("site.conf:3: could not open configuration file x.conf", withoutFix.ToString());
    }

    [Fact]
    public void EveryProblemIsCollectedAndReadingGoesOn()
    {
        var result = _folder.Read("""
            Alias /a "/unterminated
            DocumentRoot ${NOT_DEFINED_IN_THIS_TEST}
            Include missing.conf
            <Location /x>
            </Directory>
            Listen 80
            """);

        Assert.Equal([1, 2, 3, 5, 4], result.Diagnostics.Select(d => d.Location.Line));
        Assert.All(result.Diagnostics, d => Assert.Equal(DiagnosticSeverity.Error, d.Severity));
        Assert.Equal("Alias|/a|/unterminated\nDocumentRoot|${NOT_DEFINED_IN_THIS_TEST}\n<Location>|/x\n  Listen|80", Tree.Show(result.Nodes));
    }

    [Fact]
    public void AMissingTopFileIsReportedNotThrown()
    {
        var result = ConfigReader.ReadFile(_folder.PathOf("nope.conf"));

        Assert.Empty(result.Nodes);
        Assert.StartsWith($"could not open configuration file {_folder.PathOf("nope.conf")}", Tree.SingleError(result).Message);
    }

    [Fact]
    public void WarningsAloneAreNotErrors()
    {
        var result = new ConfigReadResult([], [new ConfigDiagnostic(DiagnosticSeverity.Warning, new SourceLocation("a", 1), "", "m", null)]);

        Assert.False(result.HasErrors);
    }
}
