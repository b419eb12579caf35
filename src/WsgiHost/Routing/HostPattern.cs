namespace WsgiHost.Routing;

/// <summary>
/// A ServerName or ServerAlias as Apache matches it against the Host header: case-insensitive,
/// a trailing dot ignored, "*" matching any run of characters (dots included) and "?" one
/// character. "*.example.com" therefore does not match "example.com" itself.
/// </summary>
internal sealed class HostPattern
{
    private readonly string _pattern;

    public HostPattern(string pattern)
    {
        Text = pattern;
        _pattern = Normalize(StripPort(pattern));
    }

    /// <summary>A virtual host's names: its ServerName (when it has one), then its ServerAliases.</summary>
    public static HostPattern[] Of(string? serverName, IEnumerable<string> serverAliases) =>
        [.. (serverName == null ? [] : new[] { serverName }).Concat(serverAliases).Select(n => new HostPattern(n))];

    /// <summary>The name as configured.</summary>
    public string Text { get; }

    public bool HasWildcard => _pattern.Contains('*') || _pattern.Contains('?');

    /// <summary>The name as matched: lower-cased, without port or trailing dot; without wildcards, the one host it matches.</summary>
    public string Normalized => _pattern;

    public bool Matches(string host) => MatchesNormalized(Normalize(host));

    /// <summary>As <see cref="Matches"/> for a host already through <see cref="Normalize"/> (once per request, not once per name).</summary>
    public bool MatchesNormalized(string normalizedHost) => Glob(_pattern, normalizedHost);

    /// <summary>Lower-cased, without a trailing dot: "WWW.Example.COM." is "www.example.com".</summary>
    public static string Normalize(string host) => host.TrimEnd('.').ToLowerInvariant();

    /// <summary>ServerName may carry a port ("example.com:8080"); matching is on the name.</summary>
    private static string StripPort(string name)
    {
        int colon = name.LastIndexOf(':');
        return colon > 0 && !name.EndsWith(']') && name.IndexOf(':') == colon ? name[..colon] : name;
    }

    internal static bool Glob(string pattern, string text)
    {
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t]))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }
        return p == pattern.Length;
    }
}
