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
    public static int CheckBody(HttpContext context, bool chunkedRequest, long? limitRequestBody, IErrorLog log, string path)
    {
        HttpRequest request = context.Request;
        if (!chunkedRequest && request.ContentLength == null && request.Headers.TransferEncoding.Count > 0)
        {
            log.Write(ErrorLogLevel.Error, "wsgi",
                $"[client {Client(context)}] Request with Transfer-Encoding: chunked refused (411) for '{path}'; enable WSGIChunkedRequest On (serve --chunked-request) to accept it.");
            return StatusCodes.Status411LengthRequired;
        }
        if (limitRequestBody is long limit && limit > 0)
        {
            if (request.ContentLength > limit)
            {
                log.Write(ErrorLogLevel.Error, "core", $"[client {Client(context)}] AH00126: Requested content-length of {request.ContentLength} is larger than the configured limit of {limit}");
                return StatusCodes.Status413PayloadTooLarge;
            }
            var size = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
            if (size is { IsReadOnly: false })
            {
                size.MaxRequestBodySize = limit;
            }
        }
        return 0;
    }

    /// <summary>
    /// Runs <paramref name="app"/> for the request on a WSGI thread and waits for it.
    /// </summary>
    /// <returns>The response body bytes sent.</returns>
    /// <exception cref="IncompleteResponseException">The response failed after it started: Kestrel must close the connection instead of completing it.</exception>
    public static async Task<long> RunAsync(HttpContext context, WsgiExecutor executor, WsgiApplication app, RequestOptions options,
        string scriptName, string pathInfo, RequestTarget target, string rawTarget, DateTimeOffset start)
    {
        var exchange = new KestrelExchange(context, options, scriptName, pathInfo, target, rawTarget, start);
        await executor.RunAsync(app, exchange).ConfigureAwait(false);
        if (exchange.IncompleteReason != null)
        {
            await context.Response.BodyWriter.FlushAsync().ConfigureAwait(false);
            throw new IncompleteResponseException(exchange.IncompleteReason, exchange.BodyBytesSent);
        }
        return exchange.BodyBytesSent;
    }

    /// <summary>The raw request-target as the client sent it (path and query, undecoded).</summary>
    /// <remarks>Kestrel always provides it; a host without the feature (a test server) gets the request's own path and query re-encoded.</remarks>
    public static string RawTarget(HttpContext context) =>
        context.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw ? raw
        : (context.Request.PathBase + context.Request.Path).ToUriComponent() is { Length: > 0 } path ? path + context.Request.QueryString.ToUriComponent()
        : "/" + context.Request.QueryString.ToUriComponent();

    /// <summary>Answers with Apache's error page for <paramref name="status"/>; returns the body length.</summary>
    public static async Task<long> ErrorAsync(HttpContext context, int status)
    {
        byte[] body = ErrorPage.Body(status);
        context.Response.StatusCode = status;
        context.Response.ContentType = ErrorPage.ContentType.Value;
        context.Response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.Body.WriteAsync(body).ConfigureAwait(false);
        }
        return body.Length;
    }

    /// <summary>The client as the error log names it: address:port.</summary>
    public static string Client(HttpContext context) =>
        $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}";
}
