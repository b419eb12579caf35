using System.Globalization;
using Microsoft.AspNetCore.Http;
using WsgiHost.Routing;

namespace WsgiHost.Server;

/// <summary>
/// mod_rewrite's server variables for one request, read when a template names them. SERVER_NAME
/// and SERVER_PORT follow the Host header (UseCanonicalName Off, Apache's default; a Host
/// without a port is the scheme's default port), else the virtual host's ServerName and the
/// port the connection came in on.
/// </summary>
/// <param name="scheme">ServerName's scheme (https://name), REQUEST_SCHEME's value as in Apache; null: the connection's.</param>
internal sealed class RewriteRequestVariables(HttpContext context, string serverName, string uriPath, string rawQuery, string? scheme = null) : IRewriteVariables
{
    public string Get(string name)
    {
        HttpRequest request = context.Request;
        ConnectionInfo connection = context.Connection;
        if (name.StartsWith("HTTP:", StringComparison.OrdinalIgnoreCase))
        {
            return request.Headers[name[5..]].ToString();
        }
        var (host, port) = KestrelExchange.SplitHost(request.Headers.Host.ToString());
        return name.ToUpperInvariant() switch
        {
            "HTTPS" => request.IsHttps ? "on" : "off",
            "HTTP_HOST" => request.Headers.Host.ToString(),
            "SERVER_NAME" => host.Length > 0 ? host : serverName,
            "SERVER_PORT" => KestrelExchange.ServerPort(host, port, request.IsHttps) ?? connection.LocalPort.ToString(CultureInfo.InvariantCulture),
            "SERVER_ADDR" => connection.LocalIpAddress?.ToString() ?? "",
            // In the server's context, before any mapping, Apache's REQUEST_FILENAME is the URL path too.
            "REQUEST_URI" or "REQUEST_FILENAME" => uriPath,
            "REQUEST_SCHEME" => scheme ?? (request.IsHttps ? "https" : "http"),
            "REQUEST_METHOD" => request.Method,
            "QUERY_STRING" => rawQuery,
            "REMOTE_ADDR" => connection.RemoteIpAddress?.ToString() ?? "",
            "REMOTE_PORT" => connection.RemotePort.ToString(CultureInfo.InvariantCulture),
            "SERVER_PROTOCOL" => RequestProtocol.Of(request),
            "THE_REQUEST" => $"{request.Method} {WsgiDispatch.RawTarget(context)} {RequestProtocol.Of(request)}",
            "HTTP_USER_AGENT" => request.Headers.UserAgent.ToString(),
            "HTTP_REFERER" => request.Headers.Referer.ToString(),
            "HTTP_COOKIE" => request.Headers.Cookie.ToString(),
            "HTTP_ACCEPT" => request.Headers.Accept.ToString(),
            "HTTP_FORWARDED" => request.Headers["Forwarded"].ToString(),
            _ => "",
        };
    }
}
