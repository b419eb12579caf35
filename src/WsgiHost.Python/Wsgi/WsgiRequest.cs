using WsgiHost.Python.Runtime;

namespace WsgiHost.Python.Wsgi;

/// <summary>
/// The gateway's state for one request: what start_response recorded and what has been
/// sent. Touched only by the thread running the request, with the GIL held, except for the
/// blocking transport calls made with the GIL released.
/// </summary>
internal sealed class WsgiRequest : IDisposable
{
    public WsgiRequest(long id, IWsgiExchange exchange, Interpreter interpreter)
    {
        Id = id;
        Exchange = exchange;
        Interpreter = interpreter;
    }

    public long Id { get; }

    /// <summary>The interpreter the request runs in (of an application's several, the one the executor chose).</summary>
    public Interpreter Interpreter { get; }

    /// <summary>The Python thread ident (threading.get_ident()) of the WSGI thread running the request.</summary>
    public ulong ThreadIdent { get; } = GetThreadIdent();

    /// <summary>Set under the GIL when the app is done with (its iterable closed): nothing may be raised into its thread for it any more.</summary>
    public bool Finished { get; set; }

    /// <summary>RequestTimeout was raised into its thread (interrupt-timeout).</summary>
    public bool Interrupted { get; set; }

    private static unsafe ulong GetThreadIdent() => Interop.LibPython.PyThread_get_thread_ident();

    public IWsgiExchange Exchange { get; }

    /// <summary>wsgi.input's reader, made when the app first reads: most requests never do, and pay nothing for it.</summary>
    public InputReader Input => _input ??= new InputReader(Exchange.ReadBody, Exchange.BodyLength);

    private InputReader? _input;

    /// <summary>start_response has been called (status and headers recorded).</summary>
    public bool Started { get; private set; }

    /// <summary>Status and headers have been handed to the transport; they can no longer change.</summary>
    public bool HeadersSent { get; private set; }

    public int Status { get; private set; }

    public string Reason { get; private set; } = "";

    public List<KeyValuePair<string, string>> Headers { get; private set; } = [];

    /// <summary>The Content-Length the app declared, which caps the body.</summary>
    public long? ContentLength { get; set; }

    public long BodyBytes { get; private set; }

    public bool ClientGone { get; private set; }

    public void Start(int status, string reason, List<KeyValuePair<string, string>> headers, long? contentLength)
    {
        Status = status;
        Reason = reason;
        Headers = headers;
        ContentLength = contentLength;
        Started = true;
    }

    public void SendHeaders()
    {
        if (!HeadersSent)
        {
            HeadersSent = true;
            Exchange.StartResponse(Status, Reason, Status is 204 or 304 ? WithoutContentType(Headers) : Headers, LengthToSend());
        }
    }

    /// <summary>
    /// The Content-Length the head announces, as Apache's core lets it through: none on a 1xx,
    /// 204, 205 or 304 (RFC 9110 8.6, 15.3.6; a 304's would have to be the representation's,
    /// and an app that returns nothing for it got 0, which says the page is empty), and none
    /// of 0 on a HEAD (http_filters.c drops it: an app that returns no body for HEAD, as
    /// Werkzeug's streamed responses do, would say the page is empty). A HEAD's other length,
    /// declared or counted from a list, is what GET sends, and stays.
    /// </summary>
    private long? LengthToSend() =>
        StatusHasNoBody || (Exchange.IsHead && ContentLength == 0) ? null : ContentLength;

    /// <summary>A status whose response has no content: 1xx, 204, 205, 304.</summary>
    private bool StatusHasNoBody => Status is < 200 or 204 or 205 or 304;

    /// <summary>A 204's or 304's headers without Content-Type, which Apache does not send on them either (they have no content to describe).</summary>
    private static List<KeyValuePair<string, string>> WithoutContentType(List<KeyValuePair<string, string>> headers) =>
        headers.Exists(h => h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            ? headers.FindAll(h => !h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            : headers;

    /// <summary>
    /// The response carries no body: a HEAD, or a status that has none (1xx, 204, 205, 304).
    /// What the app returns for it is counted and dropped, as Apache drops it; sent, it would
    /// be read as the start of the next response on the connection.
    /// </summary>
    public bool SendsNoBody => Exchange.IsHead || StatusHasNoBody;

    /// <summary>
    /// Buffers a chunk, cut at the declared Content-Length (mod_wsgi drops the excess).
    /// HEAD (or a status without a body) sends nothing but still counts, for the log.
    /// </summary>
    public void BufferChunk(ReadOnlySpan<byte> data)
    {
        data = Count(data);
        if (!SendsNoBody && data.Length > 0)
        {
            Exchange.Buffer(data);
        }
    }

    /// <summary>
    /// As <see cref="BufferChunk"/>, and sent at once: a streamed item or a write() goes to the
    /// transport, what was buffered before it first; what the transport takes without waiting
    /// goes with the GIL held (called with it held), the rest with it released.
    /// <paramref name="data"/> is a Python bytes object's buffer the caller keeps alive.
    /// </summary>
    public bool SendChunk(ReadOnlySpan<byte> data)
    {
        data = Count(data);
        if (ClientGone)
        {
            return false;
        }
        bool sent;
        bool hasBody = !SendsNoBody && data.Length > 0;
        // What the transport takes without waiting goes with the GIL held: releasing it for a
        // send that does not wait handed it to another thread and back for every 64 KiB of a
        // daemon worker's download (a third of the worker's system calls were futexes).
        int now = hasBody ? Exchange.SendNow(data) : 0;
        if (hasBody && now == data.Length)
        {
            sent = true;
        }
        else
        {
            using (GilScope.Release())
            {
                sent = hasBody ? Exchange.Send(data[now..]) : Exchange.Flush();
            }
        }
        if (!sent)
        {
            ClientGone = true;
        }
        return sent;
    }

    /// <summary>Sends the headers if not yet sent, and counts the chunk cut at the declared Content-Length.</summary>
    private ReadOnlySpan<byte> Count(ReadOnlySpan<byte> data)
    {
        SendHeaders();
        if (ContentLength is long limit && BodyBytes + data.Length > limit)
        {
            data = data[..(int)Math.Max(0, limit - BodyBytes)];
        }
        BodyBytes += data.Length;
        return data;
    }

    public void MarkClientGone() => ClientGone = true;

    /// <summary>Counts bytes sent outside BufferChunk (a file sent from its descriptor).</summary>
    public void CountBody(long count) => BodyBytes += count;

    /// <summary>
    /// The app sent all the body it declared. A response without a body is always complete:
    /// HEAD and 304 carry the full representation's Content-Length with no body (Werkzeug,
    /// Django), which is no truncation.
    /// </summary>
    public bool BodyComplete => SendsNoBody || ContentLength is not long limit || BodyBytes >= limit;

    public void Dispose() => _input?.Dispose();
}
