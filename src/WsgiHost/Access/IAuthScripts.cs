using WsgiHost.Python.Auth;

namespace WsgiHost.Access;

/// <summary>
/// Runs mod_wsgi's Python authentication hooks for one request: <c>check_password(environ, user, password)</c>
/// of a WSGIAuthUserScript (<c>AuthBasicProvider wsgi</c>) and <c>groups_for_user(environ, user)</c> of a
/// WSGIAuthGroupScript (<c>Require wsgi-group</c>) and <c>allow_access(environ, host)</c> of a WSGIAccessScript.
/// A script that fails has been logged, with its traceback, by the implementation.
/// </summary>
internal interface IAuthScripts
{
    PasswordCheck CheckPassword(AuthScriptRef script, string user, string password);

    /// <summary>The user's groups; null when the script failed.</summary>
    IReadOnlyList<string>? GroupsOf(AuthScriptRef script, string user);

    /// <summary>True: allowed; null: no opinion; false: denied (also when the script failed).</summary>
    bool? AllowAccess(AuthScriptRef script, string host);
}
