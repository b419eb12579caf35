namespace WsgiHost.Metadata;

/// <summary>
/// Core's AddDefaultCharset, as Apache applies it to every response when its headers go out
/// (ap_make_content_type): a Content-Type that contains <c>text/plain</c> or <c>text/html</c>
/// and no <c>charset=</c> (both case-insensitive, anywhere in the value) gets
/// <c>; charset=</c> and the configured name; any other type, and one that names its charset
/// (Django's and Flask's do), is left alone.
/// </summary>
internal static class DefaultCharset
{
    public static string Apply(string contentType, string charset) =>
        contentType.Contains("charset=", StringComparison.OrdinalIgnoreCase)
        || !(contentType.Contains("text/plain", StringComparison.OrdinalIgnoreCase) || contentType.Contains("text/html", StringComparison.OrdinalIgnoreCase))
            ? contentType
            : contentType + "; charset=" + charset;
}
