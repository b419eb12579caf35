namespace WsgiHost.Configuration.Model;

/// <summary>
/// One media type of an <c>AddOutputFilterByType</c> line and the codings its filters make: a
/// response whose Content-Type (parameters aside) is <paramref name="MediaType"/> may be compressed with them.
/// </summary>
/// <param name="MediaType">Lower case, without parameters: <c>text/html</c>.</param>
internal sealed record OutputFilterRule(ContentCodings Codings, string MediaType);
