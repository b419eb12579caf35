using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using WsgiHost.Configuration.Model;

namespace WsgiHost.Metadata;

/// <summary>
/// mod_expires on one response: where <c>ExpiresActive On</c>, a response that is not an error
/// and has no Expires of its own gets one from the <c>ExpiresByType</c> of its media type (or of
/// its <c>type/*</c>), else from <c>ExpiresDefault</c>, with the same time as <c>max-age</c>
/// joined to its Cache-Control. A rule counting from modification needs a Last-Modified (static
/// files have one; an app's response may not, and then gets none, as in Apache). A 304 has no
/// Content-Type, so its type is the mapped file's, as Apache's mod_mime has set it by then.
/// </summary>
internal static class ExpiresHeaders
{
    /// <param name="filePath">The file the URL maps to, when it maps to one.</param>
    public static void Apply(HttpResponse response, PerDirSettings settings, DateTimeOffset requested, string? filePath)
    {
        if (response.StatusCode >= 400 || response.Headers.ContainsKey(HeaderNames.Expires))
        {
            return;
        }
        string? type = response.ContentType ?? (filePath != null ? StaticFiles.MimeTypes.Default.TypeOf(filePath, settings) : null);
        ExpiresRule? rule = ForType(settings, type) ?? settings.ExpiresDefault;
        DateTimeOffset? modified = HeaderUtilities.TryParseDate(response.Headers.LastModified.ToString(), out DateTimeOffset m) ? m : null;
        if (rule?.ExpiresAt(requested, modified) is not DateTimeOffset expires)
        {
            return;
        }
        long maxAge = Math.Max(0, (long)(expires - requested).TotalSeconds);
        string directive = "max-age=" + maxAge.ToString(CultureInfo.InvariantCulture);
        var cacheControl = response.Headers.CacheControl;
        response.Headers.CacheControl = cacheControl.Count == 0 ? directive : cacheControl.ToString() + ", " + directive;
        response.Headers.Expires = HeaderUtilities.FormatDate(expires);
    }

    private static ExpiresRule? ForType(PerDirSettings settings, string? contentType)
    {
        if (settings.ExpiresByType.Count == 0 || string.IsNullOrEmpty(contentType))
        {
            return null;
        }
        int semicolon = contentType.IndexOf(';');
        string media = (semicolon < 0 ? contentType : contentType[..semicolon]).Trim().ToLowerInvariant();
        if (settings.ExpiresByType.TryGetValue(media, out ExpiresRule? exact))
        {
            return exact;
        }
        int slash = media.IndexOf('/');
        return slash > 0 && settings.ExpiresByType.TryGetValue(media[..slash] + "/*", out ExpiresRule? wildcard) ? wildcard : null;
    }
}
