using System.Text;
using System.Text.RegularExpressions;
using WsgiHost.Configuration.Model;

namespace WsgiHost.Routing;

/// <summary>What a redirect answers: its status, and the Location (null for a status that is not a redirect).</summary>
internal readonly record struct RedirectAnswer(int Status, string? Location);

/// <summary>
/// A scope's redirects, tried in order before any alias, as mod_alias's translate_alias_redir:
/// Redirect by its URL-path (the segment rule of Alias; the rest of the path, escaped again,
/// follows the URL), RedirectMatch by its expression (groups substituted, the result escaped).
/// The query string follows unless the URL has one. A URL given as a path stays relative
/// (RFC 9110 §10.2.2), where Apache prefixes its own scheme and host: behind a proxy that ends
/// TLS, Apache's would say http://.
/// </summary>
internal sealed class RedirectMatcher
{
    private readonly (RedirectConfig Config, Regex? Regex)[] _redirects;

    public RedirectMatcher(IEnumerable<RedirectConfig> redirects) =>
        _redirects = [.. redirects.Select(r => (r, r.IsRegex ? new Regex(r.UrlPattern, RegexOptions.CultureInvariant | RegexOptions.Compiled, TimeSpan.FromSeconds(1)) : null))];

    /// <summary>The redirects of a scope: a virtual host's own before the main server's, as its aliases.</summary>
    public static RedirectMatcher ForScope(ServerScope scope, ServerScope main) =>
        new(ReferenceEquals(scope, main) ? scope.Redirects : [.. scope.Redirects, .. main.Redirects]);

    public bool IsEmpty => _redirects.Length == 0;

    /// <param name="path">The decoded, normalized URL path.</param>
    /// <param name="rawQuery">The query string, without '?'.</param>
    public RedirectAnswer? Match(string path, string rawQuery)
    {
        foreach (var (config, regex) in _redirects)
        {
            string? target;
            if (regex != null)
            {
                Match match = regex.Match(path);
                if (!match.Success)
                {
                    continue;
                }
                target = config.Target == null ? null : EscapeUrl(match.Result(Access.ApacheRegex.Substitution(config.Target)));
            }
            else
            {
                int consumed = AliasMatcher.Match(config.UrlPattern, path);
                if (consumed < 0)
                {
                    continue;
                }
                target = config.Target == null ? null : config.Target + EscapePath(path[consumed..]);
            }
            if (target == null)
            {
                return new RedirectAnswer(config.Status, null);
            }
            if (rawQuery.Length > 0 && !target.Contains('?'))
            {
                target += "?" + rawQuery;
            }
            return new RedirectAnswer(config.Status, target);
        }
        return null;
    }


    /// <summary>ap_os_escape_path: a decoded path with what may not stand in a URL's path %-escaped, as UTF-8.</summary>
    internal static string EscapePath(string path)
    {
        StringBuilder? escaped = null;
        for (int i = 0; i < path.Length; i++)
        {
            char c = path[i];
            if (c < 0x80 && (char.IsAsciiLetterOrDigit(c) || "-._~!$&'()*+,;=:@/".Contains(c)))
            {
                escaped?.Append(c);
                continue;
            }
            escaped ??= new StringBuilder(path, 0, i, path.Length + 16);
            int length = char.IsHighSurrogate(c) && i + 1 < path.Length ? 2 : 1;
            foreach (byte b in Encoding.UTF8.GetBytes(path.Substring(i, length)))
            {
                escaped.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            i += length - 1;
        }
        return escaped?.ToString() ?? path;
    }

    /// <summary>[NE]'s URL: left as written but for what cannot stand in a Location header at all (spaces, controls, non-ASCII).</summary>
    internal static string EscapeUnsafe(string url)
    {
        if (url.All(c => c is > ' ' and < (char)0x7F))
        {
            return url;
        }
        var escaped = new StringBuilder(url.Length + 16);
        foreach (byte b in Encoding.UTF8.GetBytes(url))
        {
            if (b is > (byte)' ' and < 0x7F)
            {
                escaped.Append((char)b);
            }
            else
            {
                escaped.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return escaped.ToString();
    }

    /// <summary>RedirectMatch's result: the path escaped, the query string and fragment kept as written.</summary>
    internal static string EscapeUrl(string url)
    {
        int query = url.IndexOfAny(['?', '#']);
        string head = query < 0 ? url : url[..query];
        int scheme = head.IndexOf("://", StringComparison.Ordinal);
        int pathStart = scheme < 0 ? 0 : head.IndexOf('/', scheme + 3) is int slash and >= 0 ? slash : head.Length;
        return head[..pathStart] + EscapePath(head[pathStart..]) + (query < 0 ? "" : url[query..]);
    }
}
