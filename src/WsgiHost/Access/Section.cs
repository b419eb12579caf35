using System.Text.RegularExpressions;
using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Access;

/// <summary>
/// One per-directory section with what it carries (its access rules, or anything else). Build it with
/// <see cref="Section.TryCreate{T}"/>, which validates the arguments and compiles a regex once.
/// </summary>
/// <param name="Kind">Normalised: <c>&lt;Directory ~ re&gt;</c> is <see cref="SectionKind.DirectoryMatch"/>.</param>
/// <param name="Pattern">The path, wildcard pattern or regular expression, without the <c>~</c>.</param>
internal sealed record Section<T>(SectionKind Kind, string Pattern, T Payload, SourceLocation Location)
{
    /// <summary>The compiled expression of a Match kind, when built by <see cref="Section.TryCreate{T}"/>.</summary>
    internal Regex? Regex { get; init; }

    /// <summary>
    /// The &lt;Directory&gt; a &lt;Files&gt; is nested in (Django's <c>&lt;Directory site&gt;&lt;Files wsgi.py&gt;</c>):
    /// the section then applies only to files under that directory. Null for top-level sections.
    /// </summary>
    public Section<object?>? Within { get; init; }
}

/// <summary>Building <see cref="Section{T}"/> from a section tag's name and arguments.</summary>
internal static class Section
{
    /// <summary>The kind a section name (<c>Directory</c>, <c>filesmatch</c>, ...) stands for.</summary>
    public static bool TryGetKind(string sectionName, out SectionKind kind)
    {
        foreach (var candidate in Enum.GetValues<SectionKind>())
        {
            if (sectionName.Equals(candidate.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                kind = candidate;
                return true;
            }
        }

        kind = default;
        return false;
    }

    /// <summary>
    /// The section, or null with an error when its arguments are wrong: exactly one pattern, or <c>~</c> and a
    /// regular expression for Directory, Files and Location (which then become their Match kind); a regular
    /// expression .NET cannot compile; a Directory path that is not absolute.
    /// </summary>
    public static Section<T>? TryCreate<T>(
        SectionKind kind, IReadOnlyList<string> args, T payload, SourceLocation location, ICollection<ConfigDiagnostic> diagnostics)
    {
        var tag = $"<{kind}>";
        var isMatch = kind is SectionKind.DirectoryMatch or SectionKind.FilesMatch or SectionKind.LocationMatch;
        string pattern;
        if (args.Count == 2 && args[0] == "~" && !isMatch)
        {
            kind = kind switch
            {
                SectionKind.Directory => SectionKind.DirectoryMatch,
                SectionKind.Files => SectionKind.FilesMatch,
                _ => SectionKind.LocationMatch,
            };
            isMatch = true;
            pattern = args[1];
        }
        else if (args.Count == 1 && args[0] != "~")
        {
            pattern = args[0];
        }
        else
        {
            var expected = isMatch ? "one regular expression" : $"one {(kind == SectionKind.Directory ? "path" : kind == SectionKind.Files ? "file name" : "URL path")}, or ~ and a regular expression";
            Report(diagnostics, location, tag, $"{tag} takes {expected}; got {(args.Count == 0 ? "nothing" : string.Join(' ', args))}",
                "quote a pattern that contains spaces");
            return null;
        }

        if (pattern.Length == 0)
        {
            Report(diagnostics, location, tag, $"{tag} has an empty pattern", null);
            return null;
        }

        if (pattern.Length > ApacheRegex.MaxPatternLength)
        {
            Report(diagnostics, location, tag, $"{tag}'s pattern is {pattern.Length} characters long, more than the {ApacheRegex.MaxPatternLength} WsgiHost reads",
                "shorten the pattern");
            return null;
        }

        if (isMatch)
        {
            if (ApacheRegex.TryCreate(pattern, out var problem) is not { } regex)
            {
                Report(diagnostics, location, tag, $"invalid regular expression '{pattern}': {problem}",
                    "fix the expression (Perl-compatible syntax, as Apache's PCRE)");
                return null;
            }

            return new Section<T>(kind, pattern, payload, location) { Regex = regex };
        }

        if (kind == SectionKind.Directory && !pattern.StartsWith('/') && !Path.IsPathFullyQualified(pattern))
        {
            Report(diagnostics, location, tag, $"'{pattern}' is not an absolute path", "write the full path, e.g. /srv/app");
            return null;
        }

        if (kind == SectionKind.Location && !pattern.StartsWith('/') && !GlobPattern.HasWildcards(pattern))
        {
            diagnostics.Add(new ConfigDiagnostic(DiagnosticSeverity.Warning, location, tag,
                $"'{pattern}' does not start with '/', so it matches no URL path", $"write <Location /{pattern}>"));
        }

        return new Section<T>(kind, pattern, payload, location);
    }

    private static void Report(ICollection<ConfigDiagnostic> diagnostics, SourceLocation location, string tag, string message, string? fix) =>
        diagnostics.Add(new ConfigDiagnostic(DiagnosticSeverity.Error, location, tag, message, fix));
}
