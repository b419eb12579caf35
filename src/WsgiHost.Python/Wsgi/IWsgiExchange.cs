using Microsoft.Win32.SafeHandles;

namespace WsgiHost.Python.Wsgi;

/// <summary>
/// One HTTP request/response as the WSGI gateway sees it, independent of the transport
/// (Kestrel in embedded mode, the daemon socket in a worker). Methods marked "blocking" are
/// called on a WSGI thread with the GIL released; the others with the GIL held, so they
/// must not block.
/// </summary>
public interface IWsgiExchange
{
    /// <summary>True for HEAD: the app runs, but no body bytes are sent.</summary>
    bool IsHead { get; }

    /// <summary>Client address for log lines ("127.0.0.1:50432").</summary>
    string ClientForLog { get; }

    /// <summary>
    /// The error log of the server (virtual host) the request came to: its app's output and
    /// failures are logged there, whichever host first loaded an application that several
    /// share. Null: the application's own log.
    /// </summary>
    Runtime.IErrorLog? Log { get; }

    /// <summary>The client has gone (its connection closed) while the request waited for a WSGI thread: running it would answer no one.</summary>
    bool ClientGone => false;

    /// <summary>Adds the CGI variables of this request (REQUEST_METHOD, PATH_INFO, HTTP_*, ...).</summary>
    void WriteCgiVariables(IEnvironSink sink);

    /// <summary>Blocking: reads request body bytes; 0 at the end of the body. Throws IOException when the client is gone.</summary>
    int ReadBody(Span<byte> buffer);

    /// <summary>The request body's declared length (Content-Length), or null when it is not known ahead (chunked).</summary>
    long? BodyLength => null;

    /// <summary>
    /// The status the server answers with instead of 500 when the app failed after a body read
    /// the transport refused (a malformed chunked body: 400; over LimitRequestBody: 413); 0 when none was.
    /// </summary>
    int RefusedBodyStatus => 0;

    /// <summary>
    /// The server sends something else in place of the body the app writes (the file an X-Sendfile
    /// header names): a body shorter than its Content-Length is then no truncation (werkzeug's
    /// send_file with X-Sendfile declares the file's length and sends nothing).
    /// </summary>
    bool BodyReplaced => false;

    /// <summary>The response about to start is the server's own error page (the app failed or could not load), not the app's.</summary>
    void MarkErrorPage()
    {
    }

    /// <summary>The page the site's configuration gives for the server's own error <paramref name="status"/> (Apache's ErrorDocument), or null for the built-in one.</summary>
    (int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body)? ErrorDocument(int status) => null;

    /// <summary>Sets status and headers; they go out with the first flush or at completion.</summary>
    void StartResponse(int status, string reason, IReadOnlyList<KeyValuePair<string, string>> headers, long? contentLength);

    /// <summary>Copies body bytes into the transport's buffer (no I/O wait).</summary>
    void Buffer(ReadOnlySpan<byte> data);

    /// <summary>Blocking: pushes buffered bytes to the client. False when the client has gone.</summary>
    bool Flush();

    /// <summary>
    /// Blocking, called with the GIL released: sends body bytes now, with anything buffered
    /// before them. <paramref name="data"/> is the buffer of a Python bytes object the caller
    /// keeps alive until this returns (bytes never change), so a transport may send it without
    /// copying it first. False when the client has gone. By default, <see cref="Buffer"/> then
    /// <see cref="Flush"/>.
    /// </summary>
    bool Send(ReadOnlySpan<byte> data)
    {
        Buffer(data);
        return Flush();
    }

    /// <summary>
    /// Called with the GIL held, before <see cref="Send"/>: sends what of <paramref name="data"/>
    /// the transport takes at once, without waiting, and returns how many bytes went. The
    /// gateway releases the GIL and calls <see cref="Send"/> with the rest only when some is left,
    /// so a send that does not wait costs no GIL hand-off. By default 0: all goes by Send.
    /// </summary>
    int SendNow(ReadOnlySpan<byte> data) => 0;

    /// <summary>
    /// Blocking: sends count bytes of an open file from offset, without copying through Python.
    /// Returns the bytes of the file sent: count, or fewer when the file ended first (it shrank
    /// since its size was taken; the gateway then aborts the response); -1 when the client is gone.
    /// </summary>
    long SendFile(SafeFileHandle file, long offset, long count);

    /// <summary>
    /// Marks the response as failed after it started: the transport must end the connection
    /// without completing the framing (no terminating chunk), so the client sees it is
    /// incomplete, never a silently short 200. Bytes already sent still reach the client.
    /// </summary>
    void Abort(string reason);
}

/// <summary>Receives environ entries as .NET strings; values must be latin-1 (WSGI native strings).</summary>
public interface IEnvironSink
{
    /// <summary>Adds (or replaces) one environ entry.</summary>
    void Add(string key, string value);

    /// <summary>Adds (or replaces) one environ entry whose value is formatted in place (a number): a sink that keeps no string need not make one.</summary>
    void Add(string key, ReadOnlySpan<char> value) => Add(key, value.ToString());
}
