using System.Net;

namespace WsgiHost.Logging;

/// <summary>
/// What one access log line can show about a finished request. The positional members are
/// the original combined-format fields; everything else is optional so a caller fills only
/// what its formats use. Values are kept in the shape the server already has them (an
/// <see cref="IPAddress"/>, a header lookup) so that filling an entry costs nothing and the
/// formatting work happens only for directives a format actually contains.
/// </summary>
/// <param name="RemoteHost">%h: the client's host name, or its address when names are not looked up.</param>
/// <param name="User">%u: the authenticated user; null when there is none (logged as "-").</param>
/// <param name="Time">When the request was received (%t); its offset is the zone the time is logged in.</param>
/// <param name="RequestLine">%r: the request line as received, e.g. "GET /a?b HTTP/1.1".</param>
/// <param name="Status">%s, %&gt;s: the final response status.</param>
/// <param name="BodyBytes">%b, %B: response body bytes, headers excluded.</param>
/// <param name="Referer">The Referer request header, used by %{Referer}i before <see cref="RequestHeaders"/>.</param>
/// <param name="UserAgent">The User-Agent request header, used by %{User-Agent}i before <see cref="RequestHeaders"/>.</param>
internal readonly record struct AccessLogEntry(
    string RemoteHost,
    string? User,
    DateTimeOffset Time,
    string RequestLine,
    int Status,
    long BodyBytes,
    string? Referer,
    string? UserAgent)
{
    /// <summary>%a: the client's address; when null, <see cref="RemoteHost"/> is logged.</summary>
    public IPAddress? RemoteAddress { get; init; }

    /// <summary>%{c}a, %{c}h: the TCP peer's address, which differs from <see cref="RemoteAddress"/>
    /// only when the client address was taken from a proxy header. Null means the same.</summary>
    public IPAddress? PeerAddress { get; init; }

    /// <summary>%{remote}p: the client's TCP port; 0 when unknown.</summary>
    public int RemotePort { get; init; }

    /// <summary>%A: the server address the request arrived on.</summary>
    public IPAddress? LocalAddress { get; init; }

    /// <summary>%{local}p: the server port the request arrived on; 0 when unknown.</summary>
    public int LocalPort { get; init; }

    /// <summary>%p, %{canonical}p: the port of the serving virtual host's ServerName; 0 means
    /// <see cref="LocalPort"/>.</summary>
    public int ServerPort { get; init; }

    /// <summary>%v: the canonical ServerName of the virtual host that served the request.</summary>
    public string? ServerName { get; init; }

    /// <summary>%V: the server name per UseCanonicalName (usually the Host header's name); null
    /// means <see cref="ServerName"/>.</summary>
    public string? RequestServerName { get; init; }

    /// <summary>%m: the request method; null means the first word of <see cref="RequestLine"/>.</summary>
    public string? Method { get; init; }

    /// <summary>%H: the protocol, e.g. "HTTP/1.1"; null means the last word of <see cref="RequestLine"/>.</summary>
    public string? Protocol { get; init; }

    /// <summary>%U: the URL path, percent-decoded, without the query. When null, %U and %q are
    /// taken from the target in <see cref="RequestLine"/> (still percent-encoded).</summary>
    public string? UrlPath { get; init; }

    /// <summary>%q: the query string without its '?'; null when the URL has none.</summary>
    public string? Query { get; init; }

    /// <summary>%f: the file the request mapped to (the WSGI script or the aliased file).</summary>
    public string? FileName { get; init; }

    /// <summary>%R: the handler that generated the response, e.g. "wsgi-script".</summary>
    public string? Handler { get; init; }

    /// <summary>%T, %D: how long the request took, from <see cref="Time"/> to logging. The
    /// "end:" times of %{...}t are <see cref="Time"/> plus this.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>%I: bytes received, request line and headers included.</summary>
    public long BytesReceived => RequestBodyBytes + (HeadBytesReceived?.Invoke() ?? 0);

    /// <summary>%O: bytes sent, headers included.</summary>
    public long BytesSent => BodyBytes + (HeadBytesSent?.Invoke() ?? 0);

    /// <summary>The request body's bytes (part of %I).</summary>
    public long RequestBodyBytes { get; init; }

    /// <summary>The request line's and headers' bytes, counted only for a format that logs them (%I, %S).</summary>
    public Func<long>? HeadBytesReceived { get; init; }

    /// <summary>The status line's and response headers' bytes, counted only for a format that logs them (%O, %S).</summary>
    public Func<long>? HeadBytesSent { get; init; }

    /// <summary>%k: requests this connection served before this one (0 for the first).</summary>
    public int KeepAliveRequests { get; init; }

    /// <summary>%X "+": the connection stays open for another request.</summary>
    public bool KeepAlive { get; init; }

    /// <summary>%X "X": the client went away before the response was complete.</summary>
    public bool ConnectionAborted { get; init; }

    /// <summary>%{Name}i: looks up a request header by name, case-insensitively; repeated
    /// headers joined with ", "; null when absent.</summary>
    public Func<string, string?>? RequestHeaders { get; init; }

    /// <summary>%{Name}o: looks up a response header the same way.</summary>
    public Func<string, string?>? ResponseHeaders { get; init; }

    /// <summary>%{NAME}e: the request's environment as the assignments that made it (SetEnvIf, then
    /// SetEnv; a null value unsets, the last assignment of a name wins); names match
    /// case-insensitively, as in Apache's tables.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>>? Environment { get; init; }

    /// <summary>%{name}n: the notes modules left on the request (mod_deflate's DeflateFilterNote:
    /// bytes in, bytes out, ratio); names match case-insensitively.</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? Notes { get; init; }
}
