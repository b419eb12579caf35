using System.Text.RegularExpressions;

namespace WsgiHost.Access;

/// <summary>
/// The sections that apply to a request, in the order Apache merges them ("How the sections are merged"):
/// <list type="number">
/// <item>plain and wildcard <c>&lt;Directory&gt;</c>, fewest path components first, sections of equal depth in
/// file order (core's <c>reorder_sorter</c>, a stable sort on depth);</item>
/// <item><c>&lt;DirectoryMatch&gt;</c> and <c>&lt;Directory ~&gt;</c>, in file order;</item>
/// <item><c>&lt;Files&gt;</c> and <c>&lt;FilesMatch&gt;</c> together, in file order;</item>
/// <item><c>&lt;Location&gt;</c> and <c>&lt;LocationMatch&gt;</c> together, in file order.</item>
/// </list>
/// Later sections override earlier ones, so a Location beats any Directory. A <c>&lt;Files&gt;</c> nested in a
/// <c>&lt;Directory&gt;</c> takes its place among the Files sections and applies only under that directory;
/// .htaccess files are never read.
/// </summary>
internal sealed class SectionWalk<T>
{
    private readonly (SectionMatcher Matcher, SectionMatcher? Within, T Payload)[] _ordered;

    /// <exception cref="ArgumentException">A Match section built without <see cref="Section.TryCreate{T}"/>
    /// has a regular expression that does not compile.</exception>
    public SectionWalk(IEnumerable<Section<T>> sectionsInFileOrder)
    {
        var sections = sectionsInFileOrder.Select(s => (
            Matcher: new SectionMatcher(s.Kind, s.Pattern, s.Regex),
            Within: s.Within is { } w ? new SectionMatcher(w.Kind, w.Pattern, w.Regex) : null,
            s.Payload)).ToList();
        // OrderBy is stable: equal keys keep file order, which is what each group needs.
        _ordered = sections
            .OrderBy(s => Group(s.Matcher.Kind))
            .ThenBy(s => s.Matcher.Kind == SectionKind.Directory ? s.Matcher.Depth : 0)
            .ToArray();
    }

    /// <summary>The payloads of the sections that apply, in merge order.</summary>
    /// <param name="urlPath">The request's URL path (decoded, without the query string).</param>
    /// <param name="filePath">The file the URL maps to, or null when it maps to none: then only Location
    /// sections apply. A path ending in <c>/</c> is taken as a directory.</param>
    public IReadOnlyList<T> Applicable(string urlPath, string? filePath)
    {
        var url = MergeSlashes(urlPath);
        var file = filePath is null ? null : MergeSlashes(filePath);
        var applicable = new List<T>();
        foreach (var (matcher, within, payload) in _ordered)
        {
            if (matcher.Matches(url, file) && (within == null || within.Matches(url, file)))
            {
                applicable.Add(payload);
            }
        }

        return applicable;
    }

    private static int Group(SectionKind kind) => kind switch
    {
        SectionKind.Directory => 0,
        SectionKind.DirectoryMatch => 1,
        SectionKind.Files or SectionKind.FilesMatch => 2,
        _ => 3,
    };

    private static string MergeSlashes(string path) =>
        path.Contains("//", StringComparison.Ordinal) ? Regex.Replace(path, "/{2,}", "/") : path;
}
