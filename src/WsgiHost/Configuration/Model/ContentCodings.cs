namespace WsgiHost.Configuration.Model;

/// <summary>The content codings a response may be compressed with (Apache's output filters that make them).</summary>
[Flags]
internal enum ContentCodings
{
    None = 0,

    /// <summary>mod_deflate's DEFLATE filter: <c>Content-Encoding: gzip</c>.</summary>
    Gzip = 1,

    /// <summary>mod_brotli's BROTLI_COMPRESS filter: <c>Content-Encoding: br</c>.</summary>
    Brotli = 2,
}
