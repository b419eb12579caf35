namespace WsgiHost.Python.Auth;

/// <summary>What a WSGIAuthUserScript's <c>check_password</c> answered, as mod_wsgi maps it to an authn result.</summary>
internal enum PasswordVerdict
{
    /// <summary>True, or a str: the user's name for the rest of the request (AUTH_GRANTED).</summary>
    Granted,

    /// <summary>False: a wrong password (AUTH_DENIED).</summary>
    Denied,

    /// <summary>None: no such user (AUTH_USER_NOT_FOUND): the next provider may know them.</summary>
    UserNotFound,

    /// <summary>The script failed, or answered something else (AUTH_GENERAL_ERROR: 500).</summary>
    Failed,
}

/// <param name="Verdict">The answer.</param>
/// <param name="User">With <see cref="PasswordVerdict.Granted"/>, the name the script gave the user (a str it returned), as its UTF-8 bytes read as Latin-1, the form user names are kept in; else null.</param>
internal readonly record struct PasswordCheck(PasswordVerdict Verdict, string? User = null);
