namespace WsgiHost.Configuration.Syntax;

/// <summary>A problem found in a configuration, with where it is and, when one is obvious, how to fix it.</summary>
/// <param name="Directive">The directive or tag concerned (<c>Include</c>, <c>&lt;VirtualHost&gt;</c>); empty when none.</param>
internal sealed record ConfigDiagnostic(
    DiagnosticSeverity Severity,
    SourceLocation Location,
    string Directive,
    string Message,
    string? Fix)
{
    /// <summary><c>file:line: Directive: message (fix: ...)</c></summary>
    public override string ToString()
    {
        var directive = Directive.Length == 0 ? "" : $"{Directive}: ";
        var fix = Fix is null ? "" : $" (fix: {Fix})";
        return $"{Location}: {directive}{Message}{fix}";
    }
}
