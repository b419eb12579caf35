using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Access;

/// <summary>Shorthand for the errors and warnings the access parsers report.</summary>
internal static class Diagnostics
{
    public static void Error(this ICollection<ConfigDiagnostic> diagnostics, ConfigNode node, string directive, string message, string? fix) =>
        diagnostics.Add(new ConfigDiagnostic(DiagnosticSeverity.Error, node.Location, directive, message, fix));

    public static void Warning(this ICollection<ConfigDiagnostic> diagnostics, ConfigNode node, string directive, string message, string? fix) =>
        diagnostics.Add(new ConfigDiagnostic(DiagnosticSeverity.Warning, node.Location, directive, message, fix));

    /// <summary>The name as the messages spell it: <c>Require</c>, or <c>&lt;RequireAll&gt;</c> for a section.</summary>
    public static string Tag(ConfigNode node, string canonicalName) => node.IsSection ? $"<{canonicalName}>" : canonicalName;
}
