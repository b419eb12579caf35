using System.Globalization;
using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Configuration.Directives;

/// <summary>
/// What a directive handler sees: the site being built, the scope it was written in (main
/// server or a virtual host), the per-directory settings it adds to (the scope's own or a
/// section's), and the diagnostics list that collects every problem before any is reported.
/// </summary>
internal sealed class BuildContext(SiteState site, ScopeBuilder scope, PerDirBuilder perDir, DirectiveScope where)
{
    public SiteState Site { get; } = site;

    public ScopeBuilder Scope { get; } = scope;

    public PerDirBuilder PerDir { get; } = perDir;

    public DirectiveScope Where { get; } = where;

    public void Error(ConfigNode node, string message, string? fix) => Site.Report(DiagnosticSeverity.Error, node, message, fix);

    public void Warning(ConfigNode node, string message, string? fix) => Site.Report(DiagnosticSeverity.Warning, node, message, fix);

    public void Note(ConfigNode node, string message) => Site.Report(DiagnosticSeverity.Note, node, message, null);

    /// <summary>On/Off (any case) as Apache's FLAG directives take it; null after reporting anything else.</summary>
    public bool? Flag(ConfigNode node, string value)
    {
        if (value.Equals("on", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        if (value.Equals("off", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        Error(node, $"must be On or Off, got '{value}'", $"{node.Name} On  or  {node.Name} Off");
        return null;
    }

    /// <summary>
    /// Which of <paramref name="choices"/> (any case) the argument is, as Apache's keyword
    /// directives take them; null after reporting anything else.
    /// </summary>
    public int? Keyword(ConfigNode node, params string[] choices)
    {
        string value = node.Arguments[0];
        int found = Array.FindIndex(choices, c => c.Equals(value, StringComparison.OrdinalIgnoreCase));
        if (found >= 0)
        {
            return found;
        }
        Error(node, $"'{value}' is not {string.Join(", ", choices[..^1])} or {choices[^1]}", $"{node.Name} {string.Join('|', choices)}");
        return null;
    }

    /// <summary>A whole number in [min, max]; null after reporting anything else.</summary>
    public long? Number(ConfigNode node, string what, string value, long min, long max)
    {
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long n) && n >= min && n <= max)
        {
            return n;
        }
        Error(node, $"{what} must be a whole number from {min} to {max}, got '{value}'", null);
        return null;
    }

    /// <summary>A path as Apache resolves it: relative paths start at ServerRoot (else the config file's folder).</summary>
    public string ResolvePath(string path) =>
        Path.IsPathRooted(path) ? Path.GetFullPath(path) : Path.GetFullPath(Path.Combine(Site.ServerRoot, path));
}

/// <summary>The per-directory settings one scope or section accumulates, directive by directive.</summary>
internal sealed class PerDirBuilder
{
    public Model.PerDirSettings Value { get; set; } = Model.PerDirSettings.Empty;
}
