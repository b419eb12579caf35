namespace WsgiHost.Server;

/// <summary>
/// Thrown out of the request delegate when a WSGI response failed after it started. Kestrel
/// answers an application exception after the response started by closing the connection
/// without completing the framing, which is what the client must see. The cause has been
/// logged already, so the logger provider does not log this again.
/// </summary>
internal sealed class IncompleteResponseException(string reason, long bodyBytes) : Exception(reason)
{
    public long BodyBytes { get; } = bodyBytes;
}
