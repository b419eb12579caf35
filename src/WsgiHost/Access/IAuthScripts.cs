using WsgiHost.Python.Auth;

namespace WsgiHost.Access;

/// <summary>
/// Runs mod_wsgi's Python authentication hooks for one request: <c>check_password(environ, user, password)</c>
/// of a WSGIAuthUserScript (<c>AuthBasicProvider wsgi</c>) and <c>groups_for_user(environ, user)</c> of a
/// WSGIAuthGroupScript (<c>Require wsgi-group</c>). A script that fails has been logged, with its traceback,
/// by the implementation.
/// </summary>
internal interface IAuthScripts
{
    PasswordCheck CheckPassword(AuthScriptRef script, string user, string password);

    /// <summary>The user's groups; null when the script failed.</summary>
    IReadOnlyList<string>? GroupsOf(AuthScriptRef script, string user);
}
