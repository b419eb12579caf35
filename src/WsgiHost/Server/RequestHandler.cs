using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using WsgiHost.Access;
using WsgiHost.Compression;
using WsgiHost.Daemon;
using WsgiHost.Configuration.Model;
using WsgiHost.Logging;
using WsgiHost.Metadata;
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
internal sealed class RequestHandler(SiteRouting routing, ApplicationCache apps, WsgiExecutor executor, DaemonGroups daemons, ServerMetrics metrics,
    Python.Auth.AuthScripts? authScripts = null, HookThreads? hookThreads = null)
{
    /// <summary>The applications loaded into this process (embedded mode).</summary>
    public int EmbeddedApplications => apps.Count;

    private volatile SiteRouting _routing = routing;

    /// <summary>The routing snapshot in force.</summary>
    public SiteRouting Routing => _routing;

    /// <summary>Replaces the routing snapshot; requests already running finish with the old one.</summary>
    public void Swap(SiteRouting next) => _routing = next;

    public async Task HandleAsync(HttpContext context)
    {
        DateTimeOffset start = DateTimeOffset.Now;
        long bodyBytes = 0;
        IReadOnlyList<KeyValuePair<string, string>>? notes = null;
        RequestMetadata? metadata = null;
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
        System.Net.IPAddress? peer = null;
        if (scope.RemoteIp != null && connection.RemoteIpAddress is { } from
            && Proxy.RemoteIpResolver.Apply(scope.RemoteIp, from, context.Request.Headers) is { } client)
        {
            // mod_remoteip: the client behind the proxies is the request's client from here on
            // (access rules, REMOTE_ADDR, %a); the log keeps the proxy as %{c}a.
            peer = from;
            connection.RemoteIpAddress = client;
        }
        metrics.Begin();
        // Set again below for a WSGI request; never one left from an earlier request on the connection.
        context.Features.Set<RequestSeries>(null);
        context.Features.Set<RequestMetadata>(null);
        context.Features.Set(RejectedRequestLog.Handled.Request);
        int before = ConnectionRequests.Next(context);
        if (metrics.Draining || metrics.HandingOver || ConnectionRequests.EndsConnection(context.Request, before, routing.Site.KeepAliveTimeoutSeconds, routing.Site.MaxKeepAliveRequests))
        {
            // Kestrel closes the connection after this response: clients and proxies reconnect
            // elsewhere instead of reusing a connection to a server about to stop; or
            // KeepAlive Off, or the connection carried MaxKeepAliveRequests already.
            WsgiDispatch.CloseConnection(context);
        }
        try
        {
            bodyBytes = await DispatchAsync(context, routing.Site, scope, host, start).ConfigureAwait(false);
            // The handler is done with the headers; a buffered response may start only after
            // this method returns, and the log below reads the edited headers and Header's notes.
            metadata = context.Features.Get<RequestMetadata>();
            metadata?.Editor?.Apply();
            if (context.Features.Get<IHttpResponseBodyFeature>() is CompressedResponseBody compressed)
            {
                // The log and the metrics count the body as sent, compressed, as Apache's %b does.
                bodyBytes = await compressed.FinishAsync().ConfigureAwait(false) ?? bodyBytes;
                notes = compressed.Notes();
            }
        }
        catch (Exception e)
        {
            (context.Features.Get<IHttpResponseBodyFeature>() as CompressedResponseBody)?.Abandon();
            if (e is IncompleteResponseException incomplete)
            {
                bodyBytes = incomplete.BodyBytes;
            }
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
                metadata ??= context.Features.Get<RequestMetadata>();
                if (metadata?.Editor?.Notes is { } headerNotes)
                {
                    notes = notes == null ? headerNotes : [.. notes, .. headerNotes];
                }
                AccessLogEntry entry = Entry(context, scope, start, bodyBytes, notes, metadata?.Variables, peer, before);
                foreach (ScopedAccessLog log in scope.AccessLogs)
                {
                    if (log.Logs(entry.Environment))
                    {
                        log.Log.Write(entry);
                    }
                }
            }
        }
    }

    /// <remarks>
    /// Synchronous up to the app: only the slow paths (a request body's start still arriving,
    /// an application's first request, static files) continue in async helpers. As one async
    /// method it held every local of the routing across its awaits, and its state machine was
    /// the largest allocation of a hello request (about 390 of 2,000 bytes, dotnet-trace).
    /// </remarks>
    private ValueTask<long> DispatchAsync(HttpContext context, SiteConfig site, ScopeRuntime scope, string host, DateTimeOffset start)
    {
        IErrorLog log = scope.Log;
        HttpRequest request = context.Request;
        if (WsgiDispatch.CheckFraming(context, site.RequestLimits.MaxFieldSize, log) is int badFraming and not 0)
        {
            return ErrorAsync(context, badFraming);
        }
        if (MalformedHost.Check(host))
        {
            log.Write(ErrorLogLevel.Debug, "core", $"[client {Client(context)}] AH00550: Client sent malformed Host header: {host}");
            return ErrorAsync(context, 400);
        }
        if (context.Request.IsHttps && TlsHandshake.Check(context, scope.Scope, host, log) is int misdirected and not 0)
        {
            return ErrorAsync(context, misdirected);
        }
        if (host.Length == 0 && request.Headers.ContainsKey("Host") && HttpProtocol.IsHttp11(request.Protocol))
        {
            log.Write(ErrorLogLevel.Info, "core", $"[client {Client(context)}] client sent HTTP/1.1 request with an empty Host header");
            return ErrorAsync(context, 400);
        }
        string rawTarget = WsgiDispatch.RawTarget(context);
        if (HttpMethods.IsTrace(request.Method))
        {
            return new ValueTask<long>(TraceResponse.SendAsync(context, scope.TraceEnable, rawTarget, log));
        }
        if (rawTarget == "*" && HttpMethods.IsOptions(request.Method))
        {
            // OPTIONS * asks about the server, not a resource (RFC 9110 9.3.7): Apache's core
            // answers it itself, and so does this; no app or access rule is involved.
            context.Response.Headers.Allow = "GET,HEAD,POST,OPTIONS";
            context.Response.ContentLength = 0;
            return new ValueTask<long>(0);
        }
        RequestTarget target = RequestTarget.Parse(rawTarget, scope.EncodedSlashes, scope.MergeSlashes);
        if (!target.IsValid)
        {
            log.Write(ErrorLogLevel.Info, "core", $"[client {Client(context)}] {target.Error}");
            return ErrorAsync(context, target.ErrorStatus);
        }
        List<KeyValuePair<string, string?>>? rewriteVariables = scope.Rewrites.SetsVariables ? [] : null;
        if (!scope.Rewrites.IsEmpty
            && scope.Rewrites.Apply(target.Path, target.RawQuery, new RewriteRequestVariables(context, scope.ServerName, target.Path, target.RawQuery, scope.ServerNameScheme), rewriteVariables) is RedirectAnswer rewrite)
        {
            return RedirectAsync(context, scope, rewrite, target.Path, start);
        }
        if (!scope.Redirects.IsEmpty && scope.Redirects.Match(target.Path, target.RawQuery) is RedirectAnswer redirect)
        {
            return RedirectAsync(context, scope, redirect, target.Path, start);
        }
        MappedUrl? mapped = scope.Mapper.Map(target.Path);
        (PerDirSettings settings, AccessRules? access) = scope.Resolve(target.Path, mapped?.FilePath);
        IReadOnlyList<KeyValuePair<string, string?>> variables = settings.HasMetadata ? ApplyMetadata(context, scope, settings, target.Path, mapped?.FilePath, start) : settings.SetEnv;
        if (rewriteVariables is { Count: > 0 })
        {
            // mod_rewrite's [E=] run before mod_env's SetEnv (fixups), so SetEnv wins on a clash: theirs go first.
            variables = [.. rewriteVariables, .. variables];
        }
        if (settings.CompressesOutput)
        {
            CompressedResponseBody.Install(context, settings, variables, mapped?.FilePath);
        }
        bool builtin = settings.Handler is { } h && h != "none";
        if (mapped == null && !builtin)
        {
            log.Write(ErrorLogLevel.Info, "core", $"[client {Client(context)}] no Alias or WSGIScriptAlias maps URL '{target.Path}', and no DocumentRoot is set");
            return ErrorAsync(context, 404);
        }
        string resource = mapped?.FilePath ?? target.Path;
        if (access != null)
        {
            var check = new AccessRequest(context.Connection.RemoteIpAddress ?? System.Net.IPAddress.None, resource, DnsHostNameResolver.Instance,
                context.Connection.LocalIpAddress, variables, request.Headers.Authorization.Count > 0 ? request.Headers.Authorization.ToString() : null, target.Path,
                access.Auth is { UsesScripts: true } ? AuthScriptsFor(context, scope, settings, target, rawTarget, mapped, host, start) : null,
                context.Request.IsHttps && TlsHandshake.Of(context)?.ClientVerify == "SUCCESS");
            if (check.Scripts != null && hookThreads != null)
            {
                // Python decides: on the hook threads, so a slow check_password (a database) holds no thread-pool thread.
                return CheckWithHooksAsync(access, check, new AfterAccess(context, site, scope, host, start, rawTarget, target, mapped, settings, variables, builtin));
            }
            if (Refusal(context, log, access.Evaluate(check)) is { } refused)
            {
                return refused;
            }
        }
        return Continue(new AfterAccess(context, site, scope, host, start, rawTarget, target, mapped, settings, variables, builtin));
    }

    /// <summary>What the rest of a request's dispatch needs once access is decided.</summary>
    private readonly record struct AfterAccess(HttpContext Context, SiteConfig Site, ScopeRuntime Scope, string Host, DateTimeOffset Start, string RawTarget,
        RequestTarget Target, MappedUrl? Mapped, PerDirSettings Settings, IReadOnlyList<KeyValuePair<string, string?>> Variables, bool Builtin);

    private async ValueTask<long> CheckWithHooksAsync(AccessRules access, AccessRequest check, AfterAccess next)
    {
        AccessDecision decision = await hookThreads!.RunAsync(() => access.Evaluate(check)).ConfigureAwait(false);
        return await (Refusal(next.Context, next.Scope.Log, decision) ?? Continue(next)).ConfigureAwait(false);
    }

    /// <summary>The answer to a request access refused (logged, with the challenge for a 401); null when granted, the user then set for the app and the log.</summary>
    private static ValueTask<long>? Refusal(HttpContext context, IErrorLog log, AccessDecision decision)
    {
        if (!decision.IsGranted)
        {
            log.Write(decision.Quiet ? ErrorLogLevel.Debug : ErrorLogLevel.Error, decision.Module, $"[client {Client(context)}] {decision.Reason}");
            if (decision.User is { } attempted)
            {
                // The user the refused credentials named, for the access log's %u, as Apache logs it.
                context.Features.Set<Microsoft.AspNetCore.Http.Features.Authentication.IHttpAuthenticationFeature>(BasicChallenge.Authenticated(attempted));
            }
            if (decision.Realm is { } realm)
            {
                context.Response.Headers.WWWAuthenticate = BasicChallenge.For(realm);
            }
            return ErrorAsync(context, decision.Status);
        }
        if (decision.User is { } user)
        {
            // REMOTE_USER and AUTH_TYPE for the app (embedded and daemon), and %u for the access log.
            context.Features.Set<Microsoft.AspNetCore.Http.Features.Authentication.IHttpAuthenticationFeature>(BasicChallenge.Authenticated(user));
        }
        return null;
    }

    private ValueTask<long> Continue(in AfterAccess next)
    {
        var (context, site, scope, host, start, rawTarget, target, mapped, settings, variables, builtin) = next;
        IErrorLog log = scope.Log;
        HttpRequest request = context.Request;
        string resource = mapped?.FilePath ?? target.Path;
        if (settings.SslRequireSsl == true && !request.IsHttps)
        {
            log.Write(ErrorLogLevel.Error, "ssl", $"[client {Client(context)}] AH02219: access to {resource} failed, reason: SSL connection required");
            return ErrorAsync(context, 403);
        }
        if (settings.RequestHeaderEdits.Count > 0)
        {
            RequestHeaderEditing.Apply(context, settings.RequestHeaderEdits, early: false, variables, start);
        }
        if (builtin || mapped == null)
        {
            return new ValueTask<long>(BuiltinHandlers.ServeAsync(context, settings.Handler!, metrics, executor, daemons));
        }
        if (mapped.IsStatic)
        {
            if (mapped.Alias!.IsCgi)
            {
                log.Write(ErrorLogLevel.Error, "cgi", $"[client {Client(context)}] {mapped.FilePath} is under {mapped.Alias.DirectiveName} {mapped.Alias.UrlPattern}, and WsgiHost does not run CGI programs: refused (403). Serve the program as a WSGI app with WSGIScriptAlias.");
                return ErrorAsync(context, 403);
            }
            return StaticAsync(context, scope, mapped, settings);
        }
        if (settings.AcceptPathInfo == false && mapped.PathInfo.Length > 0)
        {
            log.Write(ErrorLogLevel.Error, "wsgi", $"[client {Client(context)}] AcceptPathInfo off disallows user's path: '{mapped.FilePath}' (PATH_INFO '{mapped.PathInfo}').");
            return ErrorAsync(context, 404);
        }

        var (localHost, localPort) = KestrelExchange.SplitHost(host);
        var facts = new GroupLabels.RequestFacts(scope.ServerName, RequestPort(context, localHost, localPort), mapped.ScriptName, localHost.Length > 0 ? localHost : null, variables);
        var (wsgi, status, error) = WsgiTarget.Resolve(mapped.Script!, settings, site, scope, facts);
        // Kestrel keeps extra features in a list it reuses per connection: no allocation per request.
        context.Features.Set(metrics.Series(scope.ServerName, wsgi.ProcessGroup, wsgi.ApplicationGroup));
        if (error != null)
        {
            log.Write(ErrorLogLevel.Error, "wsgi", $"[client {Client(context)}] {error}");
            return ErrorAsync(context, status);
        }
        var call = new WsgiCall(context, scope, settings, variables, mapped, wsgi, target, rawTarget, start);
        Task<int> body = WsgiDispatch.PrepareBodyAsync(context, settings.ChunkedRequest == true, settings.LimitRequestBody, scope.IoTimeout, log, target.Path);
        return body.IsCompletedSuccessfully ? RunWsgi(call, body.Result) : RunWsgiAfterBodyAsync(call, body);
    }

    /// <summary>What the WSGI part of a request needs from its routing (a struct: the fast path allocates nothing for it).</summary>
    private readonly record struct WsgiCall(HttpContext Context, ScopeRuntime Scope, PerDirSettings Settings, IReadOnlyList<KeyValuePair<string, string?>> Variables, MappedUrl Mapped, WsgiTarget Wsgi, RequestTarget Target, string RawTarget, DateTimeOffset Start);

    private async ValueTask<long> RunWsgiAfterBodyAsync(WsgiCall call, Task<int> body) =>
        await RunWsgi(call, await body.ConfigureAwait(false)).ConfigureAwait(false);

    /// <summary>The request to its daemon group or, embedded, to its application on a WSGI thread; <paramref name="refused"/> is <see cref="WsgiDispatch.PrepareBodyAsync"/>'s answer.</summary>
    private ValueTask<long> RunWsgi(in WsgiCall call, int refused)
    {
        HttpContext context = call.Context;
        if (refused != 0)
        {
            return ErrorAsync(context, refused);
        }
        MappedUrl mapped = call.Mapped;
        if (mapped.ScriptFromUrl && !File.Exists(mapped.FilePath))
        {
            // Before any application (or interpreter) exists for a path the client chose.
            call.Scope.Log.Write(ErrorLogLevel.Error, "wsgi", $"[client {Client(context)}] Target WSGI script not found or unable to stat: {mapped.FilePath}");
            return ErrorAsync(context, 404);
        }
        PerDirSettings settings = call.Settings;
        if (settings.AllowOverride == true && Path.GetDirectoryName(mapped.FilePath) is { } scriptFolder
            && StaticFiles.AccessFiles.Find(scriptFolder, mapped.FilePath) is { } accessFile)
        {
            // Apache reads the script folder's .htaccess too; its rules are not skipped here either.
            call.Scope.Log.Write(ErrorLogLevel.Critical, "core", $"[client {Client(context)}] {StaticFiles.AccessFiles.Refusal(accessFile)}");
            return ErrorAsync(context, 500);
        }
        WsgiTarget wsgi = call.Wsgi;
        var options = call.Scope.RequestOptionsFor(settings, call.Variables, wsgi.PassAuthorization,
            HttpMethods.IsHead(context.Request.Method) && MapsHeadToGet(settings, mapped.FilePath) ? "GET" : null);
        if (wsgi.ProcessGroup.Length > 0 && daemons.TryGet(wsgi.ProcessGroup, out DaemonGroupRuntime? daemon))
        {
            if (daemon.ScriptOwner?.Refusal(mapped.FilePath) is { } refusal)
            {
                call.Scope.Log.Write(ErrorLogLevel.Error, "wsgi", $"[client {Client(context)}] {refusal}");
                return ErrorAsync(context, 403);
            }
            var environ = DaemonEnviron.Build(context, options, call.Scope.DocumentRoot, mapped.ScriptName, mapped.PathInfo, call.Target, call.RawTarget, call.Start,
                mapped.FilePath, wsgi.CallableObject, wsgi.ApplicationGroup, settings.ScriptReloading != false);
            return daemon.ForwardAsync(context, environ, call.Scope.Log, Client(context), settings.ErrorOverride == true);
        }
        ValueTask<WsgiApplication> app = apps.GetAsync(call.Scope, mapped.Script!, mapped.FilePath, wsgi, settings);
        return app.IsCompletedSuccessfully ? Run(call, app.Result, options) : RunAfterCreateAsync(call, app, options);
    }

    /// <summary>
    /// mod_rewrite's or mod_alias's answer, made before the URL is mapped, as Apache makes it in
    /// its translate phase: the server's and virtual host's Header lines with <c>always</c> apply.
    /// </summary>
    private static ValueTask<long> RedirectAsync(HttpContext context, ScopeRuntime scope, RedirectAnswer redirect, string uriPath, DateTimeOffset start)
    {
        if (scope.Defaults.HasMetadata)
        {
            ApplyMetadata(context, scope, scope.Defaults, uriPath, null, start);
        }
        return redirect.Location is string location
            ? new ValueTask<long>(RedirectResponse.WriteAsync(context, redirect.Status, location))
            : ErrorAsync(context, redirect.Status);
    }

    /// <summary>
    /// mod_headers' early RequestHeader lines, then mod_setenvif's lines, then mod_expires and
    /// Header lines put in place for the response: the request's variables, and the feature the log reads them from.
    /// </summary>
    private static IReadOnlyList<KeyValuePair<string, string?>> ApplyMetadata(HttpContext context, ScopeRuntime scope, PerDirSettings settings, string uriPath, string? filePath, DateTimeOffset start)
    {
        if (settings.RequestHeaderEdits.Count > 0)
        {
            RequestHeaderEditing.Apply(context, settings.RequestHeaderEdits, early: true, [], start);
        }
        var variables = settings.SetEnvIf.Count == 0 ? settings.SetEnv : SetEnvIfEvaluation.Evaluate(settings.SetEnvIf, context, uriPath, settings.SetEnv);
        if (context.Request.IsHttps)
        {
            // mod_ssl sets HTTPS on every TLS request, so "Header ... env=HTTPS" holds there.
            variables = [new("HTTPS", "on"), .. variables];
        }
        var metadata = new RequestMetadata(variables)
        {
            ErrorDocuments = settings.ErrorDocuments,
            Mapper = settings.ErrorDocuments.Count > 0 ? scope.Mapper : null,
            Log = scope.Log,
            XSendFile = settings.XSendFile.IsOn ? settings.XSendFile : null,
            ScriptDirectory = settings.XSendFile.IsOn && filePath != null ? Path.GetDirectoryName(filePath) : null,
        };
        if (settings.EditsResponse)
        {
            metadata.Editor = ResponseHeaderEditor.Install(context, settings, filePath, variables, start);
        }
        context.Features.Set(metadata);
        return variables;
    }

    /// <summary>
    /// WSGIMapHEADToGET: On always; Auto (the default) when an output filter that needs the
    /// whole body applies (compression), so the app's headers for HEAD are those of its GET.
    /// </summary>
    private static bool MapsHeadToGet(PerDirSettings settings, string scriptPath) =>
        settings.MapHeadToGet == MapHeadToGet.On
        || (settings.MapHeadToGet != MapHeadToGet.Off && OutputCompressionPolicy.InFilterChain(settings, scriptPath));

    private async ValueTask<long> RunAfterCreateAsync(WsgiCall call, ValueTask<WsgiApplication> app, RequestOptions options) =>
        await Run(call, await app.ConfigureAwait(false), options).ConfigureAwait(false);

    private ValueTask<long> Run(in WsgiCall call, WsgiApplication app, RequestOptions options) =>
        WsgiDispatch.RunAsync(call.Context, executor, app, options, call.Mapped.ScriptName, call.Mapped.PathInfo, call.Target, call.RawTarget, call.Start, call.Scope.Log);

    private static async ValueTask<long> StaticAsync(HttpContext context, ScopeRuntime scope, MappedUrl mapped, PerDirSettings settings)
    {
        await scope.StaticHandler(mapped).HandleAsync(context, mapped.StaticPathInfo, settings, scope.Log).ConfigureAwait(false);
        return HttpMethods.IsHead(context.Request.Method) ? 0 : context.Response.ContentLength ?? 0;
    }

    /// <summary>The request's WSGIAuthUserScript, WSGIAuthGroupScript and WSGIAccessScript hooks; null where no Python runs in this process.</summary>
    private RequestAuthScripts? AuthScriptsFor(HttpContext context, ScopeRuntime scope, PerDirSettings settings, RequestTarget target, string rawTarget, MappedUrl? mapped, string host, DateTimeOffset start)
    {
        if (authScripts == null)
        {
            return null;
        }
        var (localHost, localPort) = KestrelExchange.SplitHost(host);
        var facts = new GroupLabels.RequestFacts(scope.ServerName, RequestPort(context, localHost, localPort), mapped?.ScriptName ?? "", localHost.Length > 0 ? localHost : null, []);
        bool script = mapped?.Script != null;
        return new RequestAuthScripts(authScripts, context, scope, settings, target, rawTarget, script ? mapped!.ScriptName : target.Path, script ? mapped!.PathInfo : "", start, facts);
    }

    /// <summary>The port for %{SERVER}/%{RESOURCE}: SERVER_PORT's (<see cref="KestrelExchange.ServerPort"/>), else the one that accepted the connection (UseCanonicalName Off).</summary>
    private static int RequestPort(HttpContext context, string host, string? hostPort) =>
        int.TryParse(KestrelExchange.ServerPort(host, hostPort, context.Request.IsHttps), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int p) ? p
        : context.Connection.LocalPort;

    private static ValueTask<long> ErrorAsync(HttpContext context, int status) => new(WsgiDispatch.ErrorAsync(context, status));

    private static string Client(HttpContext context) => WsgiDispatch.Client(context);

    /// <summary>The bytes of header lines ("Name: value" and CRLF each) and the blank line after them.</summary>
    private static long HeaderBytes(IHeaderDictionary headers)
    {
        long bytes = 2;
        foreach (var (name, values) in headers)
        {
            foreach (string? value in values)
            {
                bytes += name.Length + 2 + (value?.Length ?? 0) + 2;
            }
        }
        return bytes;
    }

    private static AccessLogEntry Entry(HttpContext context, ScopeRuntime scope, DateTimeOffset start, long bodyBytes, IReadOnlyList<KeyValuePair<string, string>>? notes,
        IReadOnlyList<KeyValuePair<string, string?>>? variables, System.Net.IPAddress? peer, int before)
    {
        HttpRequest r = context.Request;
        ConnectionInfo c = context.Connection;
        string rawTarget = WsgiDispatch.RawTarget(context);
        var headers = r.Headers;
        var responseHeaders = context.Response.Headers;
        string requestConnection = headers.Connection.ToString();
        return new AccessLogEntry(
            c.RemoteIpAddress?.ToString() ?? "-",
            context.Features.Get<Microsoft.AspNetCore.Http.Features.Authentication.IHttpAuthenticationFeature>()?.User?.Identity?.Name,
            start,
            $"{r.Method} {rawTarget} {RequestProtocol.Of(r)}",
            context.Response.StatusCode,
            bodyBytes,
            headers.Referer.Count > 0 ? headers.Referer.ToString() : null,
            headers.UserAgent.Count > 0 ? headers.UserAgent.ToString() : null)
        {
            RemoteAddress = c.RemoteIpAddress,
            PeerAddress = peer,
            RemotePort = c.RemotePort,
            LocalAddress = c.LocalIpAddress,
            LocalPort = c.LocalPort,
            ServerName = scope.ServerName,
            RequestServerName = KestrelExchange.SplitHost(headers.Host.ToString()).Host is { Length: > 0 } h ? h : scope.ServerName,
            Method = r.Method,
            Protocol = RequestProtocol.Of(r),
            Duration = DateTimeOffset.Now - start,
            RequestBodyBytes = r.ContentLength ?? 0,
            // As Apache counts them on the wire for HTTP/1.x: each line and its CRLF.
            HeadBytesReceived = () => r.Method.Length + 1 + rawTarget.Length + 1 + r.Protocol.Length + 2 + HeaderBytes(headers),
            // "HTTP/1.1 200 OK\r\n": the protocol, " 200 ", the reason and CRLF.
            HeadBytesSent = () => r.Protocol.Length + 5 + Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(context.Response.StatusCode).Length + 2 + HeaderBytes(responseHeaders)
                // Kestrel writes these itself, outside the dictionary: "Date: <29 characters>" and, ending the connection, "Connection: close".
                + (responseHeaders.ContainsKey("Date") ? 0 : 37)
                + (!responseHeaders.ContainsKey("Connection") && (requestConnection.Contains("close", StringComparison.OrdinalIgnoreCase) || r.Protocol == "HTTP/1.0") ? 19 : 0),
            // Repeated fields joined as Apache joins them, with ", " (StringValues' own ToString uses ",").
            RequestHeaders = name => headers.TryGetValue(name, out var v) ? string.Join(", ", v.ToArray()) : null,
            ResponseHeaders = name => responseHeaders.TryGetValue(name, out var v) ? string.Join(", ", v.ToArray()) : null,
            // %U decoded as Apache logs it (an absolute-form target's path only); %q with it.
            UrlPath = (r.PathBase + r.Path).Value is { Length: > 0 } path ? path : "/",
            Query = r.QueryString.Value is { Length: > 1 } query ? query[1..] : null,
            KeepAliveRequests = before,
            ConnectionAborted = context.RequestAborted.IsCancellationRequested,
            KeepAlive = !responseHeaders.Connection.ToString().Contains("close", StringComparison.OrdinalIgnoreCase)
                && !requestConnection.Contains("close", StringComparison.OrdinalIgnoreCase)
                && (r.Protocol != "HTTP/1.0" || requestConnection.Contains("keep-alive", StringComparison.OrdinalIgnoreCase)),
            Notes = notes,
            Environment = variables,
        };
    }
}
