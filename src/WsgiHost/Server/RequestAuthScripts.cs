using Microsoft.AspNetCore.Http;
using WsgiHost.Access;
using WsgiHost.Configuration.Model;
using WsgiHost.Daemon;
using WsgiHost.Python.Auth;
using WsgiHost.Routing;

namespace WsgiHost.Server;

/// <summary>
/// The WSGIAuthUserScript, WSGIAuthGroupScript and WSGIAccessScript hooks for one request, with the environ mod_wsgi gives
/// them (its Auth_environ): the request's CGI variables and HTTP_* headers, without Authorization and
/// Proxy-Authorization (the script gets the user and password as arguments) and without SetEnv values.
/// SCRIPT_NAME and PATH_INFO are the app's for a WSGI script's URL, else the whole path and "".
/// </summary>
internal sealed class RequestAuthScripts(AuthScripts scripts, HttpContext context, ScopeRuntime scope, PerDirSettings settings,
    RequestTarget target, string rawTarget, string scriptName, string pathInfo, DateTimeOffset start, GroupLabels.RequestFacts facts) : IAuthScripts
{
    private List<KeyValuePair<string, string>>? _environ;

    public PasswordCheck CheckPassword(AuthScriptRef script, string user, string password) =>
        scripts.CheckPassword(script.Path, ApplicationGroup(script), Reloading, Environ(), user, password, WsgiDispatch.Client(context), scope.Log);

    public IReadOnlyList<string>? GroupsOf(AuthScriptRef script, string user) =>
        scripts.GroupsForUser(script.Path, ApplicationGroup(script), Reloading, Environ(), user, WsgiDispatch.Client(context), scope.Log);

    public bool? AllowAccess(AuthScriptRef script, string host) =>
        scripts.AllowAccess(script.Path, ApplicationGroup(script), Reloading, Environ(), host, WsgiDispatch.Client(context), scope.Log);

    private bool Reloading => settings.ScriptReloading != false;

    /// <summary>mod_wsgi expands only %{GLOBAL}, %{SERVER} and %{HOST} for these scripts; any other value is a name as written.</summary>
    private string ApplicationGroup(AuthScriptRef script) => script.ApplicationGroup switch
    {
        GroupLabels.Global or GroupLabels.Server or GroupLabels.Host => GroupLabels.ExpandApplicationGroup(script.ApplicationGroup, facts),
        var name => name,
    };

    private List<KeyValuePair<string, string>> Environ()
    {
        if (_environ != null)
        {
            return _environ;
        }
        var capture = new EnvironCapture();
        ApplicationCache.AddBaseEnviron(capture, scope.DocumentRoot);
        RequestOptions options = scope.RequestOptionsFor(settings, [], passAuthorization: false, methodOverride: null);
        new KestrelExchange(context, options, scriptName, pathInfo, target, rawTarget, start).WriteCgiVariables(capture);
        _environ = [.. capture.Entries.Where(e => !e.Key.StartsWith("wsgi.", StringComparison.Ordinal) && e.Key != "HTTP_PROXY_AUTHORIZATION")];
        return _environ;
    }
}
