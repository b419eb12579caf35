namespace WsgiHost.Configuration.Syntax;

/// <summary>The tree read from a configuration and every problem found while reading it.</summary>
internal sealed record ConfigReadResult(IReadOnlyList<ConfigNode> Nodes, IReadOnlyList<ConfigDiagnostic> Diagnostics)
{
    public bool HasErrors => Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
}
