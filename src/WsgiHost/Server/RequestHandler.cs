using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using WsgiHost.Access;
using WsgiHost.Daemon;
using WsgiHost.Configuration.Model;
using WsgiHost.Logging;
using WsgiHost.Python.Runtime;
using WsgiHost.Python.Wsgi;
using WsgiHost.Routing;
using WsgiHost.StaticFiles;

namespace WsgiHost.Server;

/// <summary>
/// The request path of DESIGN.md §4: virtual host, target parsing, mapping (aliases first),
/// per-directory settings and access control, then the static file handler or the WSGI app on
/// the executor, with the checks mod_wsgi makes before an app runs (411, 413), and the access
/// log line.
/// </summary>
internal sealed class RequestHandler(SiteRouting routing, ApplicationCache apps, WsgiExecutor executor, DaemonGroups daemons, ServerMetrics metrics)
{
    private volatile SiteRouting _routing = routing;

    /// <summary>Replaces the routing snapshot; requests already running finish with the old one.</summary>
    public void Swap(SiteRouting next) => _routing = next;

    public async Task HandleAsync(HttpContext context)
    {
        DateTimeOffset start = DateTimeOffset.Now;
        long bodyBytes = 0;
        ConnectionInfo connection = context.Connection;
        // A Listen without an address binds dual-stack: show IPv4 clients as Apache does
        // (127.0.0.1, not ::ffff:127.0.0.1) in REMOTE_ADDR, access rules and logs.
        if (connection.RemoteIpAddress is { IsIPv4MappedToIPv6: true } remote)
        {
            connection.RemoteIpAddress = remote.MapToIPv4();
        }
        if (connection.LocalIpAddress is { IsIPv4MappedToIPv6: true } local)
        {
            connection.LocalIpAddress = local.MapToIPv4();
        }
        string host = context.Request.Headers.Host.ToString();
        SiteRouting routing = _routing;
        ScopeRuntime scope = routing.Select(connection.LocalIpAddress, connection.LocalPort, KestrelExchange.SplitHost(host).Host);
        metrics.Begin();
        // Set again below for a WSGI request; never one left from an earlier request on the connection.
        context.Features.Set<RequestSeries>(null);
        if (metrics.Draining)
        {
            // Kestrel closes the connection after this response: clients and proxies reconnect
            // elsewhere instead of reusing a connection to a server about to stop.
            context.Response.Headers.Connection = "close";
        }
        try
        {
            bodyBytes = await DispatchAsync(context, routing.Site, scope, host, start).ConfigureAwait(false);
        }
        catch (IncompleteResponseException e)
        {
            bodyBytes = e.BodyBytes;
            throw;
        }
        finally
        {
            // A WSGI request counts under its process and application group; anything else
            // (static files, errors before an app was chosen, built-in handlers) under "".
            RequestSeries series = context.Features.Get<RequestSeries>() ?? metrics.Series(scope.ServerName, "", "");
            metrics.End(series, context.Response.StatusCode, DateTimeOffset.Now - start, bodyBytes);
            if (scope.AccessLogs.Length > 0)
            {
                AccessLogEntry entry = Entry(context, scope, start, bodyBytes);
                foreach (AccessLog log in scope.AccessLogs)
                {
                    log.Write(entry);
                }
            }
        }
    }

    private async Task<long> DispatchAsync(HttpContext context, SiteConfig site, ScopeRuntime scope, string host, DateTimeOffset start)
    {
        IErrorLog log = scope.Log;
        HttpRequest request = context.Request;
        if (WsgiDispatch.CheckFraming(context, site.RequestLimits.MaxFieldSize, log) is int badFraming and not 0)
        {
            return await ErrorAsync(context, badFraming).ConfigureAwait(false);
        }
        if (host.Length == 0 && request.Headers.ContainsKey("Host") && HttpProtocol.IsHttp11(request.Protocol))
        {
            log.Write(ErrorLogLevel.Info, "core", $"[client {Client(context)}] client sent HTTP/1.1 request with an empty Host header");
            return await ErrorAsync(context, 400).ConfigureAwait(false);
        }
        string rawTarget = WsgiDispatch.RawTarget(context);
        RequestTarget target = RequestTarget.Parse(rawTarget);
        if (!target.IsValid)
        {
            log.Write(ErrorLogLevel.Info, "core", $"[client {Client(context)}] {target.Error}");
            return await ErrorAsync(context, target.ErrorStatus).ConfigureAwait(false);
        }
        MappedUrl? mapped = scope.Mapper.Map(target.Path);
        (PerDirSettings settings, AccessRules? access) = scope.Resolve(target.Path, mapped?.FilePath);
        bool builtin = settings.Handler is { } h && h != "none";
        if (mapped == null && !builtin)
        {
            log.Write(ErrorLogLevel.Info, "core", $"[client {Client(context)}] no Alias or WSGIScriptAlias maps URL '{target.Path}'");
            return await ErrorAsync(context, 404).ConfigureAwait(false);
        }
        string resource = mapped?.FilePath ?? target.Path;
        if (access != null)
        {
            AccessDecision decision = access.Evaluate(new AccessRequest(connection(context), resource, DnsHostNameResolver.Instance, context.Connection.LocalIpAddress));
            if (!decision.IsGranted)
            {
                log.Write(ErrorLogLevel.Error, "authz_core", $"[client {Client(context)}] {decision.Reason}");
                return await ErrorAsync(context, 403).ConfigureAwait(false);
            }
        }
        if (settings.SslRequireSsl == true && !request.IsHttps)
        {
            log.Write(ErrorLogLevel.Error, "ssl", $"[client {Client(context)}] AH02219: access to {resource} failed, reason: SSL connection required");
            return await ErrorAsync(context, 403).ConfigureAwait(false);
        }
        if (builtin || mapped == null)
        {
            return await BuiltinHandlers.ServeAsync(context, settings.Handler!, metrics, executor, daemons).ConfigureAwait(false);
        }

        if (mapped.IsStatic)
        {
            await scope.StaticHandler(mapped).HandleAsync(context, mapped.StaticPathInfo).ConfigureAwait(false);
            return HttpMethods.IsHead(request.Method) ? 0 : context.Response.ContentLength ?? 0;
        }

        var (localHost, localPort) = KestrelExchange.SplitHost(host);
        var facts = new GroupLabels.RequestFacts(scope.ServerName, RequestPort(context, localPort), mapped.ScriptName, localHost.Length > 0 ? localHost : null,
            name => EnvironmentValue(settings, name));
        var (wsgi, status, error) = WsgiTarget.Resolve(mapped.Script!, settings, site, scope, facts);
        // Kestrel keeps extra features in a list it reuses per connection: no allocation per request.
        context.Features.Set(metrics.Series(scope.ServerName, wsgi.ProcessGroup, wsgi.ApplicationGroup));
        if (error != null)
        {
            log.Write(ErrorLogLevel.Error, "wsgi", $"[client {Client(context)}] {error}");
            return await ErrorAsync(context, status).ConfigureAwait(false);
        }
        int refused = await WsgiDispatch.PrepareBodyAsync(context, settings.ChunkedRequest == true, settings.LimitRequestBody, log, target.Path).ConfigureAwait(false);
        if (refused != 0)
        {
            return await ErrorAsync(context, refused).ConfigureAwait(false);
        }

        if (mapped.ScriptFromUrl && !File.Exists(mapped.FilePath))
        {
            // Before any application (or interpreter) exists for a path the client chose.
            log.Write(ErrorLogLevel.Error, "wsgi", $"[client {Client(context)}] Target WSGI script not found or unable to stat: {mapped.FilePath}");
            return await ErrorAsync(context, 404).ConfigureAwait(false);
        }
        var options = scope.RequestOptionsFor(settings, wsgi.PassAuthorization, HttpMethods.IsHead(request.Method) && settings.MapHeadToGet == MapHeadToGet.On ? "GET" : null);
        if (wsgi.ProcessGroup.Length > 0 && daemons.TryGet(wsgi.ProcessGroup, out DaemonGroupRuntime? daemon))
        {
            var environ = DaemonEnviron.Build(context, options, scope.DocumentRoot, mapped.ScriptName, mapped.PathInfo, target, rawTarget, start,
                mapped.FilePath, wsgi.CallableObject, wsgi.ApplicationGroup, settings.ScriptReloading != false);
            return await daemon.ForwardAsync(context, environ, log, Client(context)).ConfigureAwait(false);
        }
        WsgiApplication app = await apps.GetAsync(scope, mapped.Script!, mapped.FilePath, wsgi, settings).ConfigureAwait(false);
        return await WsgiDispatch.RunAsync(context, executor, app, options, mapped.ScriptName, mapped.PathInfo, target, rawTarget, start).ConfigureAwait(false);

        static System.Net.IPAddress connection(HttpContext c) => c.Connection.RemoteIpAddress ?? System.Net.IPAddress.None;
    }

    /// <summary>The port for %{SERVER}/%{RESOURCE}: the Host header's, else the one that accepted the connection (UseCanonicalName Off).</summary>
    private static int RequestPort(HttpContext context, string? hostPort) =>
        int.TryParse(hostPort, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int p) ? p
        : hostPort == null && context.Request.Headers.Host.Count > 0 ? (context.Request.IsHttps ? 443 : 80)
        : context.Connection.LocalPort;

    /// <summary>%{ENV:VAR}: SetEnv values first, then the server's own environment (mod_wsgi's order).</summary>
    private static string? EnvironmentValue(PerDirSettings settings, string name)
    {
        for (int i = settings.SetEnv.Count - 1; i >= 0; i--)
        {
            if (settings.SetEnv[i].Key == name)
            {
                return settings.SetEnv[i].Value;
            }
        }
        return Environment.GetEnvironmentVariable(name);
    }

    private static Task<long> ErrorAsync(HttpContext context, int status) => WsgiDispatch.ErrorAsync(context, status);

    private static string Client(HttpContext context) => WsgiDispatch.Client(context);

    private static AccessLogEntry Entry(HttpContext context, ScopeRuntime scope, DateTimeOffset start, long bodyBytes)
    {
        HttpRequest r = context.Request;
        ConnectionInfo c = context.Connection;
        string rawTarget = WsgiDispatch.RawTarget(context);
        var headers = r.Headers;
        var responseHeaders = context.Response.Headers;
        return new AccessLogEntry(
            c.RemoteIpAddress?.ToString() ?? "-",
            null,
            start,
            $"{r.Method} {rawTarget} {r.Protocol}",
            context.Response.StatusCode,
            bodyBytes,
            headers.Referer.Count > 0 ? headers.Referer.ToString() : null,
            headers.UserAgent.Count > 0 ? headers.UserAgent.ToString() : null)
        {
            RemoteAddress = c.RemoteIpAddress,
            RemotePort = c.RemotePort,
            LocalAddress = c.LocalIpAddress,
            LocalPort = c.LocalPort,
            ServerName = scope.ServerName,
            RequestServerName = KestrelExchange.SplitHost(headers.Host.ToString()).Host is { Length: > 0 } h ? h : scope.ServerName,
            Method = r.Method,
            Protocol = r.Protocol,
            Duration = DateTimeOffset.Now - start,
            BytesReceived = r.ContentLength ?? 0,
            BytesSent = bodyBytes,
            RequestHeaders = name => headers.TryGetValue(name, out var v) ? v.ToString() : null,
            ResponseHeaders = name => responseHeaders.TryGetValue(name, out var v) ? v.ToString() : null,
        };
    }
}
