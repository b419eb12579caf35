using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using WsgiHost.Configuration.Model;
using WsgiHost.Logging;
using WsgiHost.Python.Runtime;
using WsgiHost.Python.Wsgi;
using WsgiHost.Routing;

namespace WsgiHost.Server;

/// <summary>
/// The request path: parse and normalize the target, map it (aliases first, then WSGI
/// mounts), apply the request-level checks mod_wsgi makes before an app runs (411, 413),
/// run the app on the WSGI executor, and write the access log line.
/// </summary>
internal sealed class RequestHandler(ServerModel model, MountTable<Route> mounts, WsgiExecutor executor, IErrorLog log, AccessLog? accessLog)
{
    public async Task HandleAsync(HttpContext context)
    {
        DateTimeOffset start = DateTimeOffset.Now;
        long bodyBytes = 0;
        try
        {
            bodyBytes = await DispatchAsync(context, start).ConfigureAwait(false);
        }
        catch (IncompleteResponseException e)
        {
            bodyBytes = e.BodyBytes;
            throw;
        }
        finally
        {
            accessLog?.Write(Entry(context, start, bodyBytes));
        }
    }

    private async Task<long> DispatchAsync(HttpContext context, DateTimeOffset start)
    {
        string rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "/";
        RequestTarget target = RequestTarget.Parse(rawTarget);
        if (!target.IsValid)
        {
            log.Write(ErrorLogLevel.Info, "core", $"[client {Client(context)}] {target.Error}");
            return await ErrorAsync(context, target.ErrorStatus).ConfigureAwait(false);
        }
        MountMatch<Route>? match = mounts.Match(target.Path);
        if (match == null)
        {
            log.Write(ErrorLogLevel.Info, "core", $"[client {Client(context)}] no Alias or WSGIScriptAlias maps URL '{target.Path}'");
            return await ErrorAsync(context, 404).ConfigureAwait(false);
        }
        if (match.Target is AliasRoute alias)
        {
            await alias.Handler.HandleAsync(context, match.PathInfo).ConfigureAwait(false);
            return context.Response.ContentLength ?? 0;
        }

        var wsgi = (WsgiRoute)match.Target;
        HttpRequest request = context.Request;
        if (!model.ChunkedRequest && request.ContentLength == null && request.Headers.TransferEncoding.Count > 0)
        {
            log.Write(ErrorLogLevel.Error, "wsgi",
                $"[client {Client(context)}] Request with Transfer-Encoding: chunked refused (411) for '{target.Path}'; enable WSGIChunkedRequest On (serve --chunked-request) to accept it.");
            return await ErrorAsync(context, 411).ConfigureAwait(false);
        }
        if (model.LimitRequestBody is long limit && limit > 0)
        {
            if (request.ContentLength > limit)
            {
                log.Write(ErrorLogLevel.Error, "core", $"[client {Client(context)}] Requested content-length of {request.ContentLength} is larger than the configured limit of {limit}");
                return await ErrorAsync(context, 413).ConfigureAwait(false);
            }
            var size = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
            if (size is { IsReadOnly: false })
            {
                size.MaxRequestBodySize = limit;
            }
        }

        var exchange = new KestrelExchange(context, model, match.ScriptName, match.PathInfo, target, rawTarget, start);
        await executor.RunAsync(wsgi.Application, exchange).ConfigureAwait(false);
        if (exchange.IncompleteReason != null)
        {
            await context.Response.BodyWriter.FlushAsync().ConfigureAwait(false);
            throw new IncompleteResponseException(exchange.IncompleteReason, exchange.BodyBytesSent);
        }
        return exchange.BodyBytesSent;
    }

    private static async Task<long> ErrorAsync(HttpContext context, int status)
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

    private static string Client(HttpContext context) =>
        $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}";

    private static AccessLogEntry Entry(HttpContext context, DateTimeOffset start, long bodyBytes)
    {
        HttpRequest r = context.Request;
        string rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? r.Path.Value ?? "/";
        return new AccessLogEntry(
            context.Connection.RemoteIpAddress?.ToString() ?? "-",
            null,
            start,
            $"{r.Method} {rawTarget} {r.Protocol}",
            context.Response.StatusCode,
            bodyBytes,
            r.Headers.Referer.Count > 0 ? r.Headers.Referer.ToString() : null,
            r.Headers.UserAgent.Count > 0 ? r.Headers.UserAgent.ToString() : null);
    }
}
