using System.Text.RegularExpressions;

namespace WsgiHost.Access;

/// <summary>
/// Whether one section applies to a request, each kind against the string Apache tests it with:
/// <list type="bullet">
/// <item>Directory: the file path. A plain path covers itself and everything below it, whole components only
/// (<c>/srv/app</c> covers <c>/srv/app/x</c>, not <c>/srv/application</c>); with wildcards, which never cross
/// <c>/</c>, the pattern must match that many leading components, as Apache's directory walk tests each
/// prefix of the path against the sections of the same depth.</item>
/// <item>DirectoryMatch: the directory holding the file, without a trailing slash. Since httpd 2.3.9 only
/// "directories that match the expression are affected" and <c>$</c> works: the merging example of the manual
/// applies <c>&lt;DirectoryMatch "^.*b$"&gt;</c> to <c>/a/b/f.html</c>. A path ending in <c>/</c> is itself
/// that directory.</item>
/// <item>Files and FilesMatch: the last component of the file path.</item>
/// <item>Location: the URL path with runs of slashes merged (MergeSlashes on). A plain path is a prefix ending
/// at a component boundary unless the pattern itself ends with <c>/</c>: <c>/admin</c> covers <c>/admin</c>,
/// <c>/admin/</c> and <c>/admin/x</c>, not <c>/administrator</c>; <c>/admin/</c> does not cover <c>/admin</c>.
/// With wildcards the whole path must match (<c>apr_fnmatch</c>).</item>
/// <item>LocationMatch: the URL path, searched (unanchored, as PCRE is).</item>
/// </list>
/// </summary>
internal sealed class SectionMatcher
{
    private const int GlobCacheLimit = 1024;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Regex> s_globs = new(StringComparer.Ordinal);
    private readonly string? _prefix;
    private readonly Regex? _regex;

    public SectionMatcher(SectionKind kind, string pattern, Regex? compiled)
    {
        Kind = kind;
        switch (kind)
        {
            case SectionKind.DirectoryMatch or SectionKind.FilesMatch or SectionKind.LocationMatch:
                _regex = compiled ?? ApacheRegex.TryCreate(pattern, out var problem)
                    ?? throw new ArgumentException($"invalid regular expression '{pattern}': {problem}", nameof(pattern));
                break;
            case SectionKind.Directory:
                var directory = pattern.Length > 1 ? pattern.TrimEnd('/') : pattern;
                directory = directory.Length == 0 ? "/" : directory;
                Depth = directory == "/" ? 1 : directory.Count(c => c == '/') + 1;
                if (GlobPattern.HasWildcards(directory))
                {
                    _regex = Glob("^" + GlobPattern.ToRegex(directory) + (directory.EndsWith('/') ? "" : "(?:/|$)"));
                }
                else
                {
                    _prefix = directory.EndsWith('/') ? directory : directory + "/";
                }

                break;
            case SectionKind.Files:
                _regex = Glob("^" + GlobPattern.ToRegex(pattern) + "$");
                break;
            default:
                if (GlobPattern.HasWildcards(pattern))
                {
                    _regex = Glob("^" + GlobPattern.ToRegex(pattern) + "$");
                }
                else
                {
                    _prefix = pattern;
                }

                break;
        }
    }

    public SectionKind Kind { get; }

    /// <summary>For a plain or wildcard Directory: its number of components, Apache's sort key (<c>/</c> is 1,
    /// <c>/srv/app</c> is 3, as <c>ap_count_dirs</c> counts the slashes of <c>/srv/app/</c>).</summary>
    public int Depth { get; }

    /// <param name="urlPath">The URL path, slashes already merged.</param>
    /// <param name="filePath">The file path, slashes merged, or null when the URL maps to no file.</param>
    public bool Matches(string urlPath, string? filePath)
    {
        switch (Kind)
        {
            case SectionKind.Location or SectionKind.LocationMatch:
                return _regex?.IsMatch(urlPath) ?? IsLocationPrefix(urlPath);
            case SectionKind.Directory when filePath is not null:
                return _regex?.IsMatch(filePath) ?? (filePath + "/").StartsWith(_prefix!, StringComparison.Ordinal);
            case SectionKind.DirectoryMatch when filePath is not null:
                return _regex!.IsMatch(DirectoryOf(filePath));
            case SectionKind.Files or SectionKind.FilesMatch when filePath is not null:
                return _regex!.IsMatch(BaseName(filePath));
            default:
                return false;
        }
    }

    private bool IsLocationPrefix(string urlPath)
    {
        var prefix = _prefix!;
        return urlPath.StartsWith(prefix, StringComparison.Ordinal)
            && (prefix.EndsWith('/') || urlPath.Length == prefix.Length || urlPath[prefix.Length] == '/');
    }

    private static string DirectoryOf(string filePath)
    {
        var slash = filePath.EndsWith('/') ? filePath.Length - 1 : filePath.LastIndexOf('/');
        return slash <= 0 ? "/" : filePath[..slash];
    }

    private static string BaseName(string filePath)
    {
        var trimmed = filePath.Length > 1 ? filePath.TrimEnd('/') : filePath;
        return trimmed[(trimmed.LastIndexOf('/') + 1)..];
    }

    /// <summary>
    /// A compiled regex, one per distinct pattern in the process: compiling emits IL and costs
    /// milliseconds, and the sections are matched again for every virtual host at start and on
    /// reload and by each lint of <c>check</c> (200 virtual hosts with &lt;Files app.wsgi&gt; took
    /// seconds). Regex matching is thread-safe, so sharing is. Bounded, as reloads may bring new patterns.
    /// </summary>
    private static Regex Glob(string regex)
    {
        if (s_globs.TryGetValue(regex, out Regex? cached))
        {
            return cached;
        }
        var compiled = new Regex(regex, RegexOptions.CultureInvariant | RegexOptions.Compiled, ApacheRegex.MatchTimeout);
        if (s_globs.Count < GlobCacheLimit)
        {
            s_globs.TryAdd(regex, compiled);
        }
        return compiled;
    }
}
