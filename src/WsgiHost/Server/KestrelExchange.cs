using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.Win32.SafeHandles;
using System.Net;
using WsgiHost.Proxy;
using WsgiHost.Python.Runtime;
using WsgiHost.Python.Wsgi;
using WsgiHost.Routing;

namespace WsgiHost.Server;

/// <summary>
/// One Kestrel request seen through the WSGI gateway's interface. Runs on a WSGI thread
/// while the Kestrel handler awaits, so nothing here races with Kestrel's own use of the
/// context. Blocking methods wait on Kestrel's pipes synchronously: they are called on
/// dedicated WSGI threads with the GIL released, never on the .NET thread pool.
/// </summary>
internal sealed class KestrelExchange : IWsgiExchange
{
    private readonly HttpContext _context;
    private readonly RequestOptions _options;
    private readonly string _scriptName;
    private readonly string _pathInfo;
    private readonly RequestTarget _target;
    private readonly string _rawTarget;
    private readonly DateTimeOffset _start;
    private readonly IErrorLog? _log;

    public IErrorLog? Log => _log;
    private PipeReader? _body;
    private bool _aborted;

    /// <param name="log">Where a client that stopped reading is logged (<see cref="StalledClient"/>); null: nowhere.</param>
    public KestrelExchange(HttpContext context, RequestOptions options, string scriptName, string pathInfo, RequestTarget target, string rawTarget, DateTimeOffset start, IErrorLog? log = null)
    {
        _log = log;
        _context = context;
        _options = options;
        _scriptName = scriptName;
        _pathInfo = pathInfo;
        _target = target;
        _rawTarget = rawTarget;
        _start = start;
        IsHead = HttpMethods.IsHead(context.Request.Method);
    }

    public bool IsHead { get; }

    /// <summary>Header lines without "always" skip the server's error pages, as Apache's skip its error responses.</summary>
    public void MarkErrorPage() => Metadata.RequestMetadata.MarkServerError(_context);

    /// <remarks>Only on a failed request's way out: a local ErrorDocument's file (1 MiB at most) is read here, on the WSGI thread.</remarks>
    public (int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body)? ErrorDocument(int status) =>
        Metadata.ErrorDocuments.Find(_context, status) is { } page
            ? (page.Status, page.Location == null ? [new("Content-Type", page.ContentType)] : [new("Content-Type", page.ContentType), new("Location", page.Location)], page.Body)
            : null;

    public long BodyBytesSent { get; private set; }

    public string ClientForLog
    {
        get
        {
            var c = _context.Connection;
            return $"{c.RemoteIpAddress}:{c.RemotePort}";
        }
    }

    public void WriteCgiVariables(IEnvironSink sink)
    {
        HttpRequest request = _context.Request;
        ConnectionInfo connection = _context.Connection;
        // Numbers are formatted in place: the sink keeps a str per position and reuses it while
        // the value repeats (the listening port), so most requests make no string for them.
        Span<char> localPort = stackalloc char[11];
        localPort = localPort[..Format(connection.LocalPort, localPort)];
        Span<char> number = stackalloc char[20];
        // Addresses too: formatted in place, a str made only when the address changes. An
        // IPAddress keeps its text once made, but every connection brings new IPAddress objects,
        // so ToString() made two strings every connection (bench/allocs.sh CLOSE=1).
        Span<char> localAddress = stackalloc char[MaxAddressChars];
        localAddress = localAddress[..Format(connection.LocalIpAddress, localAddress)];
        ProxyHeaderDecision proxy = _options.ProxyHeaders?.Decide(connection.RemoteIpAddress ?? IPAddress.None, Header) ?? ProxyHeaderDecision.None;
        // TLS, a trusted proxy saying so, or SetEnv HTTPS on (mod_wsgi reads HTTPS from the environment).
        bool https = proxy.Https ?? (request.IsHttps || HttpsFromEnvironment());

        // SetEnv values reach the environ (never os.environ); the CGI keys and HTTP_* headers
        // are added after them and win on a clash, as Apache builds subprocess_env.
        // (Indexed loops here and below: foreach over the list's interface boxes an enumerator.)
        IReadOnlyList<KeyValuePair<string, string>> environment = _options.Environment;
        for (int i = 0; i < environment.Count; i++)
        {
            sink.Add(environment[i].Key, environment[i].Value);
        }
        sink.Add("REQUEST_METHOD", _options.MethodOverride ?? request.Method);
        sink.Add("SCRIPT_NAME", proxy.ScriptName ?? _scriptName);
        sink.Add("PATH_INFO", _pathInfo);
        sink.Add("QUERY_STRING", _target.RawQuery);
        sink.Add("REQUEST_URI", RequestUri());
        sink.Add("SERVER_PROTOCOL", RequestProtocol.Of(request));
        // ServerName https://... names it for a server behind a proxy that terminates TLS, as in
        // Apache; wsgi.url_scheme stays the connection's (or a trusted proxy header's), as
        // mod_wsgi derives it from HTTPS alone.
        sink.Add("REQUEST_SCHEME", _options.Scheme ?? (https ? "https" : "http"));
        sink.Add("wsgi.url_scheme", https ? "https" : "http");
        sink.Add("SERVER_ADDR", localAddress);
        if (proxy.RemoteAddr is string forwardedFor)
        {
            sink.Add("REMOTE_ADDR", forwardedFor);
        }
        else
        {
            Span<char> remoteAddress = stackalloc char[MaxAddressChars];
            sink.Add("REMOTE_ADDR", remoteAddress[..Format(connection.RemoteIpAddress, remoteAddress)]);
        }
        sink.Add("REMOTE_PORT", number[..Format(connection.RemotePort, number)]);

        // In an ASP.NET Core host (MapWsgi) the host's authentication says who the user is, as
        // Apache's auth modules do for mod_wsgi; the standalone server authenticates nobody.
        // The feature, not HttpContext.User: that builds an empty ClaimsPrincipal for every
        // request nobody authenticated (1% of a hello request's CPU, perf).
        if (_context.Features.Get<IHttpAuthenticationFeature>()?.User?.Identity is { IsAuthenticated: true } identity)
        {
            if (!string.IsNullOrEmpty(identity.Name))
            {
                sink.Add("REMOTE_USER", identity.Name);
            }
            if (!string.IsNullOrEmpty(identity.AuthenticationType))
            {
                sink.Add("AUTH_TYPE", identity.AuthenticationType);
            }
        }

        // UseCanonicalName Off: the name and port the client used (Host), else ServerName
        // and the port that accepted the connection. On: ServerName and its port, else the
        // scheme's, whatever Host says.
        (string host, string? port) = SplitHost(proxy.HttpHost ?? request.Headers.Host.ToString());
        if (_options.Canonical is { } canonical && proxy.ServerName == null)
        {
            (host, port) = (_options.ServerName, canonical.Port ?? (https ? "443" : "80"));
        }
        sink.Add("SERVER_NAME", proxy.ServerName ?? (host.Length > 0 ? host : _options.ServerName));
        if ((proxy.ServerPort ?? ServerPort(host, port, https)) is string serverPort)
        {
            sink.Add("SERVER_PORT", serverPort);
        }
        else
        {
            sink.Add("SERVER_PORT", localPort);
        }

        sink.Add("mod_wsgi.request_id", _context.TraceIdentifier);
        sink.Add("mod_wsgi.request_start", number[..Format(UnixMicroseconds(_start), number)]);
        sink.Add("mod_wsgi.listener_host", localAddress);
        sink.Add("mod_wsgi.listener_port", localPort);
        if (https)
        {
            sink.Add("HTTPS", "on");
            if (_options.SslEnvironment && request.IsHttps)
            {
                SslVariables.Write(_context, sink, _options.SslCertData);
            }
        }

        foreach (var header in request.Headers)
        {
            string name = header.Key;
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                sink.Add("CONTENT_TYPE", header.Value.ToString());
                continue;
            }
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                sink.Add("CONTENT_LENGTH", header.Value.ToString());
                continue;
            }
            // httpoxy (CVE-2016-5388): a client's "Proxy" header must never become HTTP_PROXY.
            if (name.Equals("Proxy", StringComparison.OrdinalIgnoreCase) ||
                name.Equals("Proxy-Authorization", StringComparison.OrdinalIgnoreCase) ||
                (!_options.PassAuthorization && name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)) ||
                (proxy.Removed.Count > 0 && proxy.Removed.Contains(name)))
            {
                continue;
            }
            string? key = CgiHeaderNames.KeyFor(name);
            if (key != null)
            {
                var values = header.Value;
                string value = values.Count == 1 ? values[0] ?? "" : string.Join(", ", values.ToArray());
                if (proxy.HttpHost != null && key == "HTTP_HOST")
                {
                    value = proxy.HttpHost;
                }
                else if (proxy.ForwardedFor != null && key == "HTTP_X_FORWARDED_FOR")
                {
                    value = proxy.ForwardedFor;
                }
                sink.Add(key, value);
            }
        }
    }

    /// <summary>The longest IPAddress text: an IPv6 address with an embedded IPv4 one and a scope id.</summary>
    private const int MaxAddressChars = 65;

    /// <summary>The address as IPAddress.ToString() writes it; none (a Unix socket, a test host): empty.</summary>
    private static int Format(IPAddress? address, Span<char> destination) =>
        address == null ? 0 : address.TryFormat(destination, out int written) ? written : throw new InvalidOperationException("no room to format " + address);

    private static int Format(long value, Span<char> destination) =>
        value.TryFormat(destination, out int written, default, CultureInfo.InvariantCulture) ? written : throw new InvalidOperationException("no room to format " + value);

    private string? Header(string name) =>
        _context.Request.Headers.TryGetValue(name, out var values) && values.Count > 0 ? values.ToString() : null;

    private bool HttpsFromEnvironment()
    {
        IReadOnlyList<KeyValuePair<string, string>> environment = _options.Environment;
        for (int i = 0; i < environment.Count; i++)
        {
            if (environment[i].Key == "HTTPS")
            {
                string value = environment[i].Value;
                return value.Equals("on", StringComparison.OrdinalIgnoreCase) || value == "1";
            }
        }
        return false;
    }

    /// <summary>REQUEST_URI: the path and query exactly as sent (origin form even for absolute-form targets).</summary>
    private string RequestUri() =>
        _target.RawQuery.Length > 0 || _rawTarget.EndsWith('?') ? _target.RawPath + "?" + _target.RawQuery : _target.RawPath;

    // The last Host header this thread split: a request splits its Host header up to three
    // times (virtual host selection, routing, the environ) and the next request usually
    // brings the same one; each split made two strings (10% of a hello request's allocations).
    [ThreadStatic]
    private static string? t_lastHostHeader;

    [ThreadStatic]
    private static (string Host, string? Port) t_lastSplit;

    /// <summary>A Host header's name (lowercase, without a trailing dot) and port (null when none).</summary>
    /// <summary>
    /// SERVER_PORT as Apache gives it with UseCanonicalName Off: the Host header's port, and the
    /// scheme's default port when the Host header names none (behind a proxy that sends
    /// "Host: example.com" to port 8080, the app sees 80, as under Apache). Null without a
    /// Host header: then the port that accepted the connection.
    /// </summary>
    internal static string? ServerPort(string host, string? hostPort, bool https) =>
        hostPort ?? (host.Length > 0 ? (https ? "443" : "80") : null);

    internal static (string Host, string? Port) SplitHost(string hostHeader)
    {
        if (hostHeader.Length == 0)
        {
            return ("", null);
        }
        if (hostHeader == t_lastHostHeader)
        {
            return t_lastSplit;
        }
        t_lastSplit = Split(hostHeader);
        t_lastHostHeader = hostHeader;
        return t_lastSplit;
    }

    private static (string Host, string? Port) Split(string hostHeader)
    {
        (string host, string? port) = SplitPort(hostHeader);
        host = host.TrimEnd('.').ToLowerInvariant();
        return (host, string.IsNullOrEmpty(port) ? null : port);
    }

    /// <summary>A Host header's name (an IPv6 literal with its brackets) and port as written ("" for "name:"); null port when there is none.</summary>
    internal static (string Name, string? Port) SplitPort(string hostHeader)
    {
        string host = hostHeader;
        string? port = null;
        if (host.StartsWith('['))
        {
            int end = host.IndexOf(']');
            if (end > 0 && end + 1 < host.Length && host[end + 1] == ':')
            {
                port = host[(end + 2)..];
                host = host[..(end + 1)];
            }
        }
        else
        {
            int colon = host.LastIndexOf(':');
            if (colon >= 0)
            {
                port = host[(colon + 1)..];
                host = host[..colon];
            }
        }
        return (host, port);
    }

    public int RefusedBodyStatus { get; private set; }

    /// <summary>Content-Length; 0 for a request that cannot have a body (no Content-Length, not chunked), so read(n) allocates nothing for it.</summary>
    public long? BodyLength =>
        _context.Request.ContentLength ?? (_context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false ? 0 : null);

    public int ReadBody(Span<byte> buffer)
    {
        PipeReader reader = _body ??= _context.Request.BodyReader;
        while (true)
        {
            ValueTask<ReadResult> pending = reader.ReadAsync();
            ReadResult result;
            try
            {
                if (pending.IsCompleted)
                {
                    result = pending.Result;
                }
                else
                {
                    // The client has not sent the next bytes yet: wait, up to Timeout.
                    using BodyReadTimeout? watch = BodyReadTimeout.Watch(reader, _options.IoTimeout);
                    result = BlockingWait.Result(pending);
                    result = watch?.Checked(result) ?? result;
                }
            }
            catch (Exception e) when (e is BadHttpRequestException or IOException && !_context.RequestAborted.IsCancellationRequested)
            {
                // Past the start WsgiDispatch read before the app ran: a chunked body that turns
                // malformed or crosses LimitRequestBody here fails the app's read; if the app
                // then fails, the client gets 400/413, and the connection cannot be reused.
                RefusedBodyStatus = WsgiDispatch.RefusedBodyStatus(e);
                if (!WsgiDispatch.AbortIfClientGone(_context, e))
                {
                    WsgiDispatch.CloseConnection(_context);
                }
                throw;
            }
            ReadOnlySequence<byte> data = result.Buffer;
            if (data.Length > 0)
            {
                int n = (int)Math.Min(buffer.Length, data.Length);
                data.Slice(0, n).CopyTo(buffer);
                reader.AdvanceTo(data.GetPosition(n));
                return n;
            }
            reader.AdvanceTo(data.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                return 0;
            }
        }
    }

    public void StartResponse(int status, string reason, IReadOnlyList<KeyValuePair<string, string>> headers, long? contentLength)
    {
        HttpResponse response = _context.Response;
        response.StatusCode = status;
        var feature = _context.Features.Get<IHttpResponseFeature>();
        if (feature != null)
        {
            feature.ReasonPhrase = reason;
        }
        IHeaderDictionary target = response.Headers;
        // A start_response after an error (the app failed) replaces the first one, X-Sendfile and all.
        PendingSendFile = XSendFileResponse.Find(_context, status, headers);
        for (int i = 0; i < headers.Count; i++)
        {
            var (name, value) = headers[i];
            if (WsgiDispatch.IsFramingHeader(name) || (PendingSendFile != null && XSendFileResponse.Replaces(name)))
            {
                continue;
            }
            WsgiDispatch.AppendHeader(target, name, value);
        }
        if (contentLength is long length && PendingSendFile == null)
        {
            response.ContentLength = length;
        }
    }

    /// <summary>
    /// The file the app named in X-Sendfile (XSendFile On, a 200): what it writes is dropped,
    /// and the file is sent once it returns (<see cref="WsgiDispatch"/>). Null otherwise.
    /// </summary>
    public XSendFileRequest? PendingSendFile { get; private set; }

    public bool BodyReplaced => PendingSendFile != null;

    public bool ClientGone => _context.RequestAborted.IsCancellationRequested;

    public void Buffer(ReadOnlySpan<byte> data)
    {
        if (_aborted || _context.RequestAborted.IsCancellationRequested || PendingSendFile != null)
        {
            return;
        }
        _context.Response.BodyWriter.Write(data);
        BodyBytesSent += data.Length;
    }

    public bool Flush()
    {
        if (_aborted || _context.RequestAborted.IsCancellationRequested)
        {
            return false;
        }
        if (PendingSendFile != null)
        {
            return true;
        }
        try
        {
            ValueTask<FlushResult> pending = _context.Response.BodyWriter.FlushAsync();
            FlushResult result;
            if (pending.IsCompleted)
            {
                result = pending.Result;
            }
            else
            {
                // The client is not taking bytes as fast as the app makes them: wait, up to Timeout.
                using StalledClient watch = StalledClient.Watch(_context, _options.IoTimeout, _log, ClientForLog);
                result = BlockingWait.Result(pending);
            }
            return !result.IsCompleted && !result.IsCanceled && !_context.RequestAborted.IsCancellationRequested;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
        {
            return false;
        }
    }

    public long SendFile(SafeFileHandle file, long offset, long count)
    {
        if (PendingSendFile != null)
        {
            return count; // dropped, as the rest of the app's body
        }
        PipeWriter writer = _context.Response.BodyWriter;
        long sent = 0;
        while (sent < count)
        {
            int n = StaticFiles.FileBody.ReadPiece(writer, file, offset + sent, count - sent, 64 * 1024);
            if (n <= 0)
            {
                break; // the file shrank: the gateway aborts the response
            }
            sent += n;
            BodyBytesSent += n;
            if (!Flush())
            {
                return -1;
            }
        }
        return sent;
    }

    /// <summary>Why the response was left incomplete, or null; the request handler acts on it.</summary>
    public string? IncompleteReason { get; private set; }

    public void Abort(string reason)
    {
        // Not HttpContext.Abort(): a reset would discard bytes still queued for the client.
        // The handler throws instead once the WSGI thread is done; Kestrel then closes the
        // connection after sending what was written and without a terminating chunk.
        _aborted = true;
        IncompleteReason = reason;
    }

    /// <summary>Microseconds since the Unix epoch, as mod_wsgi's request_start and queue_start count (apr_time_now).</summary>
    internal static long UnixMicroseconds(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;
}
