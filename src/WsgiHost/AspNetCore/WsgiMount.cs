using Microsoft.AspNetCore.Http;
using WsgiHost.Daemon;
using WsgiHost.Python.Runtime;
using WsgiHost.Python.Wsgi;
using WsgiHost.Routing;
using WsgiHost.Server;

namespace WsgiHost.AspNetCore;

/// <summary>
/// One <c>MapWsgi</c> mount: splits the request URL into SCRIPT_NAME and PATH_INFO with the
/// server's decoding and normalising rules (<see cref="RequestTarget"/>), then hands the
/// request to the dispatch the standalone server uses (<see cref="WsgiDispatch"/>). The
/// application is created on the first request, as mod_wsgi loads a script.
/// </summary>
internal sealed class WsgiMount
{
    private readonly WsgiRuntime _runtime;
    private readonly WsgiApplicationOptions _appOptions;
    private readonly RequestOptions _requestOptions;
    private readonly bool _chunkedRequest;
    private readonly long? _limitRequestBody;
    private readonly string _processGroup;
    private readonly string _documentRoot;
    private readonly Lock _lock = new();
    private WsgiApplication? _app;

    /// <param name="options">Read once here, so later changes to the object change nothing.</param>
    public WsgiMount(string scriptPath, WsgiAppOptions options, WsgiRuntime runtime, string documentRoot)
    {
        _runtime = runtime;
        _chunkedRequest = options.ChunkedRequest;
        _limitRequestBody = options.LimitRequestBody;
        _processGroup = options.ProcessGroup;
        _documentRoot = documentRoot;
        _requestOptions = new RequestOptions(RequestOptions.Default.ServerName, options.PassAuthorization, [.. options.Environment], null, IoTimeout: RequestOptions.DefaultIoTimeout);
        _appOptions = new WsgiApplicationOptions
        {
            ScriptPath = scriptPath,
            CallableObject = options.CallableObject,
            ApplicationGroup = options.ApplicationGroup,
            ScriptReloading = options.ScriptReloading,
            MultiThread = runtime.MultiThread,
            MultiProcess = false,
            Environ = ApplicationCache.BaseEnviron(documentRoot),
        };
    }

    /// <summary>"/py/" and "/py" mount the same place; "" and "/" are the root.</summary>
    /// <exception cref="ArgumentException">The prefix does not start with "/".</exception>
    public static string NormalizePrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length > 0 && prefix[0] != '/')
        {
            throw new ArgumentException($"a WSGI mount prefix starts with '/': '{prefix}'", nameof(prefix));
        }
        return prefix.TrimEnd('/');
    }

    public async Task HandleAsync(HttpContext context)
    {
        DateTimeOffset start = DateTimeOffset.Now;
        IErrorLog log = _runtime.Log;
        if (WsgiDispatch.CheckFraming(context, 0, log) is int badFraming and not 0)
        {
            await WsgiDispatch.ErrorAsync(context, badFraming).ConfigureAwait(false);
            return;
        }
        string rawTarget = WsgiDispatch.RawTarget(context);
        RequestTarget target = RequestTarget.Parse(rawTarget);
        if (!target.IsValid)
        {
            log.Write(ErrorLogLevel.Info, "core", $"[client {WsgiDispatch.Client(context)}] {target.Error}");
            await WsgiDispatch.ErrorAsync(context, target.ErrorStatus).ConfigureAwait(false);
            return;
        }
        string mount = MountPath(context);
        if (!TrySplit(target.Path, mount, out string scriptName, out string pathInfo)
            && !TrySplit(WsgiString(context.Request.PathBase + context.Request.Path), mount, out scriptName, out pathInfo))
        {
            // Neither the client's URL nor the one routing matched is below the mount.
            log.Write(ErrorLogLevel.Info, "core", $"[client {WsgiDispatch.Client(context)}] URL '{target.Path}' is not below the WSGI mount '{mount}'");
            await WsgiDispatch.ErrorAsync(context, StatusCodes.Status404NotFound).ConfigureAwait(false);
            return;
        }
        int refused = await WsgiDispatch.PrepareBodyAsync(context, _chunkedRequest, _limitRequestBody, _requestOptions.IoTimeout, log, target.Path).ConfigureAwait(false);
        if (refused != 0)
        {
            await WsgiDispatch.ErrorAsync(context, refused).ConfigureAwait(false);
            return;
        }
        if (_processGroup.Length > 0)
        {
            await ForwardAsync(context, scriptName, pathInfo, target, rawTarget, start).ConfigureAwait(false);
            return;
        }
        var (python, executor) = _runtime.Start();
        WsgiApplication application = Application(python);
        await WsgiDispatch.RunAsync(context, executor, application, _requestOptions, scriptName, pathInfo, target, rawTarget, start, application.Log).ConfigureAwait(false);
    }

    /// <summary>To a worker of the daemon group, with the environ the embedded path would build.</summary>
    private async Task ForwardAsync(HttpContext context, string scriptName, string pathInfo, RequestTarget target, string rawTarget, DateTimeOffset start)
    {
        if (!_runtime.Daemons().TryGet(_processGroup, out DaemonGroupRuntime group))
        {
            // MapWsgi checked the name; only a group that failed to start gets here.
            _runtime.Log.Write(ErrorLogLevel.Error, "wsgi", $"[client {WsgiDispatch.Client(context)}] No WSGI daemon process called '{_processGroup}' is running.");
            await WsgiDispatch.ErrorAsync(context, StatusCodes.Status503ServiceUnavailable).ConfigureAwait(false);
            return;
        }
        var environ = DaemonEnviron.Build(context, _requestOptions, _documentRoot, scriptName, pathInfo, target, rawTarget, start,
            _appOptions.ScriptPath, _appOptions.CallableObject, _appOptions.ApplicationGroup, _appOptions.ScriptReloading);
        await group.ForwardAsync(context, environ, _runtime.Log, WsgiDispatch.Client(context)).ConfigureAwait(false);
    }

    /// <summary>
    /// Where this request's mount is, as routing matched it: the request's path without what
    /// the catch-all took, so a route group's prefix (MapGroup("/grp").MapWsgi("/py")) or a
    /// parameter in it (MapWsgi("/t/{tenant}")) is part of SCRIPT_NAME, as the app must see it
    /// to build its URLs. In WSGI's form: the UTF-8 bytes as latin-1 characters. The client's
    /// URL is split against it first (Apache's decoding, REQUEST_URI's source); where routing
    /// matched another path (UseRewriter, a re-executed status page), the path routing matched
    /// is, as SCRIPT_NAME and PATH_INFO follow mod_rewrite's internal rewrites in Apache.
    /// </summary>
    private string MountPath(HttpContext context)
    {
        string full = (context.Request.PathBase + context.Request.Path).Value ?? "";
        string rest = context.Request.RouteValues.TryGetValue(RestParameter, out object? value) && value is string s ? s : "";
        string mount = rest.Length > 0 && full.EndsWith(rest, StringComparison.Ordinal) ? full[..^rest.Length] : full;
        return WsgiString(mount.TrimEnd('/'));
    }

    /// <summary>The catch-all route parameter of a mount's endpoint below its prefix (a name a route group's own parameters will not have).</summary>
    internal const string RestParameter = "wsgiPathInfo";

    /// <summary>A decoded .NET path as WSGI's native string: its UTF-8 bytes, one latin-1 character each.</summary>
    private static string WsgiString(PathString path) => WsgiString(path.Value ?? "");

    private static string WsgiString(string path) => System.Text.Ascii.IsValid(path) ? path : System.Text.Encoding.Latin1.GetString(System.Text.Encoding.UTF8.GetBytes(path));

    /// <summary>
    /// SCRIPT_NAME is the mount as the client spelled it (routing matches case-insensitively),
    /// PATH_INFO the rest: "" for the mount itself, "/..." below it.
    /// </summary>
    internal static bool TrySplit(string path, string mount, out string scriptName, out string pathInfo)
    {
        if (path.StartsWith(mount, StringComparison.OrdinalIgnoreCase) && (path.Length == mount.Length || path[mount.Length] == '/'))
        {
            scriptName = path[..mount.Length];
            pathInfo = path[mount.Length..];
            return true;
        }
        scriptName = pathInfo = "";
        return false;
    }

    /// <summary>Created on first use, never with the GIL held (this is a request thread); a missing script is the gateway's 404.</summary>
    private WsgiApplication Application(PythonRuntime python)
    {
        WsgiApplication? app = Volatile.Read(ref _app);
        if (app != null)
        {
            return app;
        }
        lock (_lock)
        {
            return _app ??= WsgiApplication.Create(python, _appOptions, _runtime.Log);
        }
    }
}
