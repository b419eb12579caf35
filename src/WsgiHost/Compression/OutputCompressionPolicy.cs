using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using WsgiHost.Configuration.Model;

namespace WsgiHost.Compression;

/// <summary>
/// What the per-directory settings say about compressing one response: the codings its
/// Content-Type may get (SetOutputFilter's for every type, those of each AddOutputFilterByType
/// line naming its media type, and AddOutputFilter's for its file's extension), and the
/// environment variables mod_deflate and mod_brotli obey (SetEnv, SetEnvIf), read from the request's variables:
/// <c>no-gzip</c>, <c>no-brotli</c>, <c>dont-vary</c>.
/// </summary>
internal static class OutputCompressionPolicy
{
    public static ContentCodings CodingsFor(PerDirSettings settings, string? contentType, string? filePath = null)
    {
        ContentCodings codings = (settings.SetOutputFilter ?? ContentCodings.None) | ByExtension(settings, filePath);
        if (settings.OutputFilterByType.Count == 0 || string.IsNullOrEmpty(contentType))
        {
            return codings;
        }
        ReadOnlySpan<char> media = contentType.AsSpan();
        int semicolon = media.IndexOf(';');
        media = (semicolon < 0 ? media : media[..semicolon]).Trim();
        foreach (OutputFilterRule rule in settings.OutputFilterByType)
        {
            if (media.Equals(rule.Match, StringComparison.OrdinalIgnoreCase))
            {
                codings |= rule.Codings;
            }
        }
        return codings;
    }

    /// <summary>
    /// The codings AddOutputFilter gives the file the request maps to, as mod_mime reads a name:
    /// every extension of it counts (<c>app.css.map</c> has <c>css</c> and <c>map</c>), any case.
    /// </summary>
    public static ContentCodings ByExtension(PerDirSettings settings, string? filePath)
    {
        if (settings.OutputFilterByExtension.Count == 0 || filePath == null)
        {
            return ContentCodings.None;
        }
        ContentCodings codings = ContentCodings.None;
        ReadOnlySpan<char> name = Path.GetFileName(filePath.AsSpan());
        bool first = true;
        foreach (Range range in name.Split('.'))
        {
            if (first)
            {
                first = false; // the name before the first dot is no extension
                continue;
            }
            ReadOnlySpan<char> extension = name[range];
            foreach (OutputFilterRule rule in settings.OutputFilterByExtension)
            {
                if (extension.Equals(rule.Match, StringComparison.OrdinalIgnoreCase))
                {
                    codings |= rule.Codings;
                }
            }
        }
        return codings;
    }

    /// <summary>
    /// An output filter that compresses is in this request's chain, so mod_wsgi's
    /// WSGIMapHEADToGET Auto maps HEAD to GET: mod_filter puts its filter in for every request
    /// once AddOutputFilterByType names one (the type is known later), SetOutputFilter too, and
    /// AddOutputFilter only for a file with one of its extensions.
    /// </summary>
    public static bool InFilterChain(PerDirSettings settings, string? filePath) =>
        settings.OutputFilterByType.Count > 0 || settings.SetOutputFilter is > ContentCodings.None || ByExtension(settings, filePath) != ContentCodings.None;

    /// <summary>True when <c>Cache-Control: no-transform</c> forbids changing the body's coding (RFC 9111 §5.2.2.6).</summary>
    public static bool NoTransform(StringValues cacheControl)
    {
        foreach (string? value in cacheControl)
        {
            if (value != null && value.Contains("no-transform", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Adds <c>Accept-Encoding</c> to Vary, once, into the same line (as Apache's table merge does); not past <c>Vary: *</c>.</summary>
    public static void AddVary(IHeaderDictionary headers)
    {
        StringValues vary = headers.Vary;
        foreach (string? value in vary)
        {
            foreach (Range range in (value ?? "").AsSpan().Split(','))
            {
                ReadOnlySpan<char> token = (value ?? "").AsSpan(range).Trim();
                if (token.SequenceEqual("*") || token.Equals("Accept-Encoding", StringComparison.OrdinalIgnoreCase))
                {
                    return;
                }
            }
        }
        headers.Vary = vary.Count == 0 ? "Accept-Encoding" : string.Join(", ", vary.ToArray()) + ", Accept-Encoding";
    }

    /// <summary>A strong ETag made weak: the compressed bytes are not the identity's, yet revalidation (a weak comparison) still matches.</summary>
    public static void WeakenETag(IHeaderDictionary headers)
    {
        StringValues etag = headers.ETag;
        if (etag.Count == 1 && etag[0] is { Length: > 0 } value && value[0] == '"')
        {
            headers.ETag = "W/" + value;
        }
    }
}
