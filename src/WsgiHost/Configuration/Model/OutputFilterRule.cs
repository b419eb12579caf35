namespace WsgiHost.Configuration.Model;

/// <summary>
/// One media type of an <c>AddOutputFilterByType</c> line (or one extension of an
/// <c>AddOutputFilter</c> line) and the codings its filters make: a response whose Content-Type
/// (parameters aside) is <paramref name="Match"/> (or whose file has that extension) may be
/// compressed with them.
/// </summary>
/// <param name="Match">Lower case: a media type without parameters (<c>text/html</c>), or an extension without its dot (<c>css</c>).</param>
internal sealed record OutputFilterRule(ContentCodings Codings, string Match);
