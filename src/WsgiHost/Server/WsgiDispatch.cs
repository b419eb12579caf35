using System.Collections.Concurrent;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using WsgiHost.Python.Runtime;
using WsgiHost.Python.Wsgi;
using WsgiHost.Routing;

namespace WsgiHost.Server;

/// <summary>
/// The part of a WSGI request that is the same whoever routed it, the site's
/// <see cref="RequestHandler"/> or an ASP.NET Core endpoint (<c>MapWsgi</c>): mod_wsgi's body
/// checks before an app runs (411, 413), the exchange on the executor, and the rule that a
/// response failing after it started is never completed normally.
/// </summary>
internal static class WsgiDispatch
{
    /// <summary>
    /// mod_wsgi's checks of the request body before the app sees it: 411 for a chunked body
    /// unless <paramref name="chunkedRequest"/>, 413 for a declared length over
    /// <paramref name="limitRequestBody"/> (which otherwise caps what Kestrel will read).
    /// </summary>
    /// <returns>The status to answer with, or 0 when the request may go to the app.</returns>
    private static int CheckBody(HttpContext context, bool chunkedRequest, long? limitRequestBody, IErrorLog log, string path)
    {
        HttpRequest request = context.Request;
        if (!chunkedRequest && request.ContentLength == null && request.Headers.TransferEncoding.Count > 0)
        {
            log.Write(ErrorLogLevel.Error, "wsgi",
                $"[client {Client(context)}] Request with Transfer-Encoding: chunked refused (411) for '{path}'; enable WSGIChunkedRequest On (serve --chunked-request; ChunkedRequest = true in MapWsgi) to accept it.");
            return StatusCodes.Status411LengthRequired;
        }
        if (limitRequestBody is long limit && limit > 0)
        {
            if (request.ContentLength > limit)
            {
                log.Write(ErrorLogLevel.Error, "core", $"[client {Client(context)}] AH00126: Requested content-length of {request.ContentLength} is larger than the configured limit of {limit}");
                // Answered at once, from the headers: the body is never read, so the connection
                // closes instead of Kestrel draining a body the client may still be sending.
                CloseConnection(context);
                return StatusCodes.Status413PayloadTooLarge;
            }
            if (request.ContentLength == null && context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody != false)
            {
                // Counted as it is read, body bytes only (chunk framing aside), as Apache counts.
                LimitedBodyReader.Install(context, limit);
            }
        }
        return 0;
    }

    /// <summary>
    /// The status for a request body Kestrel refused as it was read: most malformed bodies come as
    /// BadHttpRequestException (400, 413, 408 for a body below MinRequestBodyDataRate), but an
    /// overflowing chunk size as a plain IOException (400).
    /// </summary>
    /// <summary>
    /// The body read failed because the client reset its connection. Kestrel's request body
    /// then stays in the reading state, and its drain at the end of the request logged an
    /// error with a stack trace ("Reading is already in progress", QA): the request is aborted
    /// instead, as no answer can reach that client anyway.
    /// </summary>
    internal static bool AbortIfClientGone(HttpContext context, Exception e)
    {
        if (e is not Microsoft.AspNetCore.Connections.ConnectionResetException && e.InnerException is not Microsoft.AspNetCore.Connections.ConnectionResetException)
        {
            return false;
        }
        context.Abort();
        return true;
    }

    internal static int RefusedBodyStatus(Exception e) => e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status400BadRequest;

    /// <summary>How much of a request body is read before a WSGI thread or a daemon worker is given the request.</summary>
    internal const int BufferedBodyStart = 64 * 1024;

    /// <summary>
    /// mod_wsgi's checks (<see cref="CheckBody"/>), then the start of the body (the whole of a small one) read here, on the thread pool, before
    /// the request takes a WSGI thread or a daemon worker: a client that sends its body slowly
    /// (or never) holds only a connection, and Kestrel's MinRequestBodyDataRate cuts it off.
    /// A chunked body that is malformed or crosses LimitRequestBody in that start gets its 400
    /// or 413 here, before any app code runs. The bytes stay in the request pipe for the app.
    /// </summary>
    /// <returns>The status to answer with, or 0 when the request may go to the app.</returns>
    /// <param name="timeout">Apache's Timeout: the client sending nothing for this long gets 408 (<see cref="BodyReadTimeout"/>).</param>
    public static async Task<int> PrepareBodyAsync(HttpContext context, bool chunkedRequest, long? limitRequestBody, TimeSpan timeout, IErrorLog log, string path)
    {
        int refused = CheckBody(context, chunkedRequest, limitRequestBody, log, path);
        if (refused != 0 || context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false || context.Request.ContentLength == 0
            || context.Request.Headers.Expect.Count > 0)
        {
            // Expect: 100-continue: reading here would send the 100 before the app looked at the
            // request; as under mod_wsgi, it goes when the app first reads wsgi.input, and an app
            // that refuses the request without reading spares the client its upload.
            return refused;
        }
        PipeReader reader = context.Request.BodyReader;
        try
        {
            long wanted = Math.Min(context.Request.ContentLength ?? BufferedBodyStart, BufferedBodyStart);
            ReadResult result = await BodyReadTimeout.ReadAsync(reader, timeout, context.RequestAborted).ConfigureAwait(false);
            while (result.Buffer.Length < wanted && !result.IsCompleted && !result.IsCanceled)
            {
                reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                result = await BodyReadTimeout.ReadAsync(reader, timeout, context.RequestAborted).ConfigureAwait(false);
            }
            // Nothing consumed: the app's first read returns these bytes at once.
            reader.AdvanceTo(result.Buffer.Start);
            return 0;
        }
        catch (Exception e) when (e is BadHttpRequestException or IOException && !context.RequestAborted.IsCancellationRequested)
        {
            int status = RefusedBodyStatus(e);
            log.Write(ErrorLogLevel.Info, "core", $"[client {Client(context)}] request body refused ({status}) for '{path}': {e.Message}");
            // The rest of the connection cannot be framed any more.
            if (!AbortIfClientGone(context, e))
            {
                CloseConnection(context);
            }
            return status;
        }
    }

    /// <summary>
    /// <see cref="RequestFraming.Check"/>, logged; the connection closes after the refusal.
    /// </summary>
    /// <returns>The status to answer with, or 0.</returns>
    public static int CheckFraming(HttpContext context, int maxFieldSize, IErrorLog log)
    {
        var (status, reason) = RequestFraming.Check(context.Request, maxFieldSize);
        if (status != 0)
        {
            log.Write(ErrorLogLevel.Info, "core", $"[client {Client(context)}] {reason}");
            CloseConnection(context);
        }
        return status;
    }

    /// <summary>
    /// Runs <paramref name="app"/> for the request on a WSGI thread and waits for it.
    /// </summary>
    /// <returns>The response body bytes sent.</returns>
    /// <exception cref="IncompleteResponseException">The response failed after it started: Kestrel must close the connection instead of completing it.</exception>
    /// <remarks>
    /// Not an async method itself: its state machine would keep all nine arguments across the
    /// wait, where only the context and the exchange are needed after it (a smaller allocation
    /// per request, dotnet-trace).
    /// </remarks>
    /// <param name="log">The error log of the server (virtual host) the request came to.</param>
    public static ValueTask<long> RunAsync(HttpContext context, WsgiExecutor executor, WsgiApplication app, RequestOptions options,
        string scriptName, string pathInfo, RequestTarget target, string rawTarget, DateTimeOffset start, IErrorLog log)
    {
        var exchange = new KestrelExchange(context, options, scriptName, pathInfo, target, rawTarget, start, log);
        return FinishAsync(context, exchange, executor.RunAsync(app, exchange));
    }

    private static async ValueTask<long> FinishAsync(HttpContext context, KestrelExchange exchange, ValueTask run)
    {
        await run.ConfigureAwait(false);
        if (exchange.IncompleteReason != null)
        {
            await context.Response.BodyWriter.FlushAsync().ConfigureAwait(false);
            throw new IncompleteResponseException(exchange.IncompleteReason, exchange.BodyBytesSent);
        }
        if (exchange.PendingSendFile is { } sendFile)
        {
            // Still on the WSGI thread (WsgiExecutor completes requests synchronously), without
            // the GIL, until the transport's buffer is full; a slow download then goes on from
            // the thread pool and holds no WSGI thread.
            return await XSendFileResponse.SendAsync(context, sendFile).ConfigureAwait(false);
        }
        if (exchange.BodyBytesSent > 0 && !WritesToKestrel(context))
        {
            // A middleware put its own stream under the response (response caching, a body
            // logger): what the app returned whole is still in the writer over that stream, which
            // Kestrel's end of the response does not flush for it.
            await context.Response.BodyWriter.FlushAsync().ConfigureAwait(false);
        }
        return exchange.BodyBytesSent;
    }

    private static readonly System.Reflection.Assembly Kestrel = typeof(Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions).Assembly;

    /// <summary>
    /// Whether each response body feature type met is Kestrel's. Asked once a type: in the native
    /// build <c>Type.Assembly</c> builds the assembly's name from metadata on every call, which
    /// with its garbage cost embedded hello about 1.3 µs of its 19 a request (perf: the WSGI
    /// threads' top symbol). A handful of types ever (Kestrel's HTTP/1, HTTP/2 and HTTP/3
    /// streams, a middleware's).
    /// </summary>
    private static readonly ConcurrentDictionary<Type, bool> KestrelBodyTypes = new();

    /// <summary>The response body is Kestrel's own pipe, which Kestrel flushes as the response ends.</summary>
    private static bool WritesToKestrel(HttpContext context) =>
        context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.GetType() is { } type
        && KestrelBodyTypes.GetOrAdd(type, static t => t.Assembly == Kestrel);

    /// <summary>The raw request-target as the client sent it (path and query, undecoded).</summary>
    /// <remarks>Kestrel always provides it; a host without the feature (a test server) gets the request's own path and query re-encoded.</remarks>
    public static string RawTarget(HttpContext context) =>
        context.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw ? raw
        : (context.Request.PathBase + context.Request.Path).ToUriComponent() is { Length: > 0 } path ? path + context.Request.QueryString.ToUriComponent()
        : "/" + context.Request.QueryString.ToUriComponent();

    /// <summary>Answers with Apache's error page for <paramref name="status"/>; returns the body length.</summary>
    public static Task<long> ErrorAsync(HttpContext context, int status)
    {
        Metadata.RequestMetadata.MarkServerError(context);
        return Metadata.ErrorDocuments.Find(context, status) is { } document
            ? Metadata.ErrorDocuments.WriteAsync(context, document)
            : RedirectResponse.SendPageAsync(context, status, ErrorPage.ContentType.Value, ErrorPage.Body(status));
    }

    /// <summary>
    /// Adds one header line of an app's response as the app gave it. <c>Append</c> drops an empty
    /// value (it takes one for "no header"); mod_wsgi sends <c>X-Name: </c> for it, and so does this.
    /// </summary>
    public static void AppendHeader(IHeaderDictionary headers, string name, string value)
    {
        if (value.Length > 0)
        {
            headers.Append(name, value);
            return;
        }
        headers[name] = Microsoft.Extensions.Primitives.StringValues.Concat(headers[name], value);
    }

    /// <summary>
    /// Headers of an app's response that Kestrel makes itself: it frames the body and keeps the
    /// connection, and an app's own Transfer-Encoding or Keep-Alive would contradict it.
    /// </summary>
    public static bool IsFramingHeader(string name) =>
        name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) || name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Kestrel closes the HTTP/1.x connection after this response (Connection: close). An
    /// HTTP/2 or 3 stream ends by itself, and the header is not allowed there (Kestrel removed
    /// it with a warning per response).
    /// </summary>
    public static void CloseConnection(HttpContext context)
    {
        if (!HttpProtocol.IsHttp2(context.Request.Protocol) && !HttpProtocol.IsHttp3(context.Request.Protocol))
        {
            context.Response.Headers.Connection = "close";
        }
    }

    /// <summary>The client as the error log names it: address:port.</summary>
    public static string Client(HttpContext context) =>
        $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}";
}
