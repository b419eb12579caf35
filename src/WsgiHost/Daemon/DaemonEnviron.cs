using Microsoft.AspNetCore.Http;
using WsgiHost.Python.Wsgi;
using WsgiHost.Routing;
using WsgiHost.Server;

namespace WsgiHost.Daemon;

/// <summary>
/// What a daemon worker needs to run one request, built by whoever routed it (the site's
/// <see cref="RequestHandler"/> or a <c>MapWsgi</c> mount): the CGI environ exactly as the
/// embedded path would build it, the constant keys, and what to run.
/// </summary>
internal static class DaemonEnviron
{
    public static List<KeyValuePair<string, string>> Build(HttpContext context, RequestOptions options, string documentRoot,
        string scriptName, string pathInfo, RequestTarget target, string rawTarget, DateTimeOffset start,
        string scriptPath, string callableObject, string applicationGroup, bool scriptReloading)
    {
        var capture = new EnvironCapture();
        ApplicationCache.AddBaseEnviron(capture, documentRoot);
        new KestrelExchange(context, options, scriptName, pathInfo, target, rawTarget, start).WriteCgiVariables(capture);
        // When the request was handed to its daemon group, as mod_wsgi sets it before it connects
        // to the daemon's socket: what APM agents (New Relic's) read as the time spent queued.
        capture.Add("mod_wsgi.queue_start", KestrelExchange.UnixMicroseconds(DateTimeOffset.UtcNow).ToString(System.Globalization.CultureInfo.InvariantCulture));
        capture.Add(DaemonKeys.Script, scriptPath);
        capture.Add(DaemonKeys.Callable, callableObject);
        capture.Add(DaemonKeys.ApplicationGroup, applicationGroup);
        capture.Add(DaemonKeys.ScriptReloading, scriptReloading ? "1" : "0");
        capture.Add(DaemonKeys.Head, HttpMethods.IsHead(context.Request.Method) ? "1" : "0");
        capture.Add(DaemonKeys.Client, WsgiDispatch.Client(context));
        if (context.Features.Get<Metadata.RequestMetadata>()?.XSendFile != null)
        {
            capture.Add(DaemonKeys.XSendFile, "1");
        }
        return capture.Entries;
    }
}
