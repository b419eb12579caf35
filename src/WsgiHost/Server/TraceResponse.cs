using System.Text;
using Microsoft.AspNetCore.Http;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Server;

/// <summary>
/// TRACE, which Apache's core answers itself before any handler or access rule (no WSGI app
/// sees it): with TraceEnable on (Apache's default), the request's head echoed back as
/// message/http, and 413 for a request with a body; with off (Debian's security.conf), 405;
/// extended also allows a body (not echoed).
/// </summary>
internal static class TraceResponse
{
    public static Task<long> SendAsync(HttpContext context, string traceEnable, string rawTarget, IErrorLog log)
    {
        HttpRequest request = context.Request;
        if (traceEnable == "off")
        {
            log.Write(ErrorLogLevel.Info, "core", $"[client {WsgiDispatch.Client(context)}] TRACE forbidden by server configuration (TraceEnable off)");
            context.Response.Headers.Allow = "GET,HEAD,POST,OPTIONS";
            return WsgiDispatch.ErrorAsync(context, StatusCodes.Status405MethodNotAllowed);
        }
        bool hasBody = request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;
        if (hasBody && traceEnable != "extended")
        {
            log.Write(ErrorLogLevel.Info, "core", $"[client {WsgiDispatch.Client(context)}] TRACE with a request body is not allowed (TraceEnable extended allows it)");
            WsgiDispatch.CloseConnection(context);
            return WsgiDispatch.ErrorAsync(context, StatusCodes.Status413PayloadTooLarge);
        }
        var echo = new StringBuilder($"{request.Method} {rawTarget} {request.Protocol}\r\n");
        foreach (var (name, values) in request.Headers)
        {
            foreach (string? value in values)
            {
                echo.Append(name).Append(": ").Append(value).Append("\r\n");
            }
        }
        echo.Append("\r\n");
        return RedirectResponse.SendPageAsync(context, StatusCodes.Status200OK, "message/http", Encoding.Latin1.GetBytes(echo.ToString()));
    }
}
