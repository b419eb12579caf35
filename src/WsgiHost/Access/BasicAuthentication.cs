using System.Text;
using WsgiHost.Python.Auth;

namespace WsgiHost.Access;

/// <summary>
/// mod_auth_basic with mod_authn_file and mod_wsgi's <c>wsgi</c> provider: the user and password of an
/// <c>Authorization: Basic</c> header, checked against the AuthUserFile's hash for that user or by the
/// WSGIAuthUserScript's <c>check_password</c>, as AuthBasicProvider orders them. Failures carry the answer and the line Apache logs
/// (AH01617 and AH01618 are what fail2ban's apache-auth filter matches).
/// </summary>
internal static class BasicAuthentication
{
    private const string Module = "auth_basic";

    /// <param name="path">The request's URL path, for the log lines.</param>
    /// <param name="scripts">Runs the <c>wsgi</c> provider's WSGIAuthUserScript; null where no Python runs.</param>
    public static (string? User, AccessDecision? Failure) Authenticate(AuthSettings auth, string? authorization, string path, IAuthScripts? scripts = null)
    {
        if (auth.Realm is not { } realm)
        {
            return (null, AccessDecision.ServerError($"AH01615: need AuthName: {path} (add AuthName \"...\" next to AuthType Basic)") with { Module = Module });
        }

        if (authorization is null)
        {
            // A browser's first request: the challenge makes it ask; Apache logs nothing here.
            return (null, AccessDecision.Unauthorized($"no credentials for {path}: asked for them (realm \"{realm}\")", realm) with { Quiet = true, Module = Module });
        }

        if (Credentials(authorization) is not var (user, password))
        {
            return (null, AccessDecision.Unauthorized($"AH01614: client used wrong authentication scheme: {path}", realm) with { Module = Module });
        }

        // authenticate_basic_user: each provider in turn until one knows the user.
        foreach (string provider in auth.ProvidersInOrder)
        {
            var (outcome, name, failure) = provider == "wsgi" ? CheckWithScript(auth, user, password, scripts) : CheckWithFile(auth, user, password);
            switch (outcome)
            {
                case PasswordVerdict.Granted:
                    return (name ?? user, null);
                case PasswordVerdict.Denied:
                    return (null, AccessDecision.Unauthorized($"AH01617: user {user}: authentication failure for \"{path}\": Password Mismatch", realm) with { Module = Module });
                case PasswordVerdict.Failed:
                    return (null, failure);
            }
        }

        return (null, AccessDecision.Unauthorized($"AH01618: user {user} not found: {path}", realm) with { Module = Module });
    }

    /// <summary>mod_authn_file: the AuthUserFile's hash for the user.</summary>
    private static (PasswordVerdict, string?, AccessDecision?) CheckWithFile(AuthSettings auth, string user, string password)
    {
        if (auth.UserFile is not { } file)
        {
            return (PasswordVerdict.Failed, null, AccessDecision.ServerError($"AH01619: AuthUserFile not specified in the configuration (for user {user})") with { Module = "authn_file" });
        }

        string? hash;
        try
        {
            hash = PasswordFile.HashOf(file, user);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (PasswordVerdict.Failed, null, AccessDecision.ServerError($"AH01620: Could not open password file: {file} ({e.Message})") with { Module = "authn_file" });
        }

        return hash is null ? (PasswordVerdict.UserNotFound, null, null)
            : VerifiedPasswords.Verify(user, password, hash) ? (PasswordVerdict.Granted, null, null)
            : (PasswordVerdict.Denied, null, null);
    }

    /// <summary>mod_wsgi's <c>wsgi</c> provider: the WSGIAuthUserScript's <c>check_password</c>.</summary>
    private static (PasswordVerdict, string?, AccessDecision?) CheckWithScript(AuthSettings auth, string user, string password, IAuthScripts? scripts)
    {
        if (auth.UserScript is not { } script)
        {
            return (PasswordVerdict.Failed, null, AccessDecision.ServerError("Location of WSGI user authentication script not provided (AuthBasicProvider wsgi needs a WSGIAuthUserScript where it applies).") with { Module = "wsgi" });
        }

        if (scripts is null)
        {
            return (PasswordVerdict.Failed, null, AccessDecision.ServerError($"WSGIAuthUserScript '{script.Path}' ({script.Location}) cannot run: there is no Python in this process (WSGIRestrictEmbedded On).") with { Module = "wsgi" });
        }

        var check = scripts.CheckPassword(script, user, password);
        return (check.Verdict, check.User, check.Verdict == PasswordVerdict.Failed
            ? AccessDecision.ServerError($"WSGIAuthUserScript '{script.Path}' ({script.Location}) failed to check user {user}; its error is logged above.") with { Module = "wsgi" }
            : null);
    }

    /// <summary>
    /// The user and password of a <c>Basic</c> header, as bytes read as Latin-1 (browsers send UTF-8 or
    /// Latin-1, and the htpasswd file holds bytes; Latin-1 keeps them all). Null for another scheme or
    /// a value that is not base64.
    /// </summary>
    public static (string User, string Password)? Credentials(string authorization)
    {
        var value = authorization.AsSpan().Trim();
        int space = value.IndexOf(' ');
        if (space <= 0 || !value[..space].Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var encoded = value[(space + 1)..].Trim();
        var bytes = new byte[(encoded.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64Chars(encoded, bytes, out int length))
        {
            return null;
        }

        var text = Encoding.Latin1.GetString(bytes, 0, length);
        int colon = text.IndexOf(':');
        return colon < 0 ? (text, "") : (text[..colon], text[(colon + 1)..]);
    }
}
