using System.Text;
using WsgiHost.Logging;
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

        // authenticate_basic_user: each provider in turn until one knows the user. The name is
        // escaped in log lines, as Apache's error log escapes it: it is the client's text.
        foreach (string provider in auth.ProvidersInOrder)
        {
            var (outcome, name, failure) = provider == "wsgi" ? CheckWithScript(auth, user, password, scripts) : CheckWithFile(auth, user, password);
            switch (outcome)
            {
                case PasswordVerdict.Granted:
                    return (name ?? user, null);
                case PasswordVerdict.Denied:
                    return (null, AccessDecision.Unauthorized($"AH01617: user {LogItemEscaper.Escape(user)}: authentication failure for \"{path}\": Password Mismatch", realm) with { Module = Module, User = user });
                case PasswordVerdict.Failed:
                    return (null, failure);
            }
        }

        return (null, AccessDecision.Unauthorized($"AH01618: user {LogItemEscaper.Escape(user)} not found: {path}", realm) with { Module = Module, User = user });
    }

    /// <summary>mod_authn_file: the AuthUserFile's hash for the user.</summary>
    private static (PasswordVerdict, string?, AccessDecision?) CheckWithFile(AuthSettings auth, string user, string password)
    {
        if (auth.UserFile is not { } file)
        {
            return (PasswordVerdict.Failed, null, AccessDecision.ServerError($"AH01619: AuthUserFile not specified in the configuration (for user {LogItemEscaper.Escape(user)})") with { Module = "authn_file" });
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
            ? AccessDecision.ServerError($"WSGIAuthUserScript '{script.Path}' ({script.Location}) failed to check user {LogItemEscaper.Escape(user)}; its error is logged above.") with { Module = "wsgi" }
            : null);
    }

    /// <summary>
    /// The user and password of a <c>Basic</c> header, read as mod_auth_basic reads them: the word after the
    /// scheme decoded as apr_base64_decode does (up to the first character outside the alphabet, padding not
    /// needed), the user up to the first colon and the password after it, the text ending at a NUL byte. Bytes
    /// are read as Latin-1 (browsers send UTF-8 or Latin-1, and the htpasswd file holds bytes; Latin-1 keeps them
    /// all). Null for another scheme.
    /// </summary>
    public static (string User, string Password)? Credentials(string authorization)
    {
        var value = authorization.AsSpan();
        int space = value.IndexOf(' ');
        if (!(space < 0 ? value : value[..space]).Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        ReadOnlySpan<char> encoded = space < 0 ? default : value[(space + 1)..].TrimStart(" \t");
        string text = Encoding.Latin1.GetString(Base64Prefix(encoded));
        if (text.IndexOf('\0') is int nul and >= 0)
        {
            text = text[..nul];
        }

        int colon = text.IndexOf(':');
        return colon < 0 ? (text, "") : (text[..colon], text[(colon + 1)..]);
    }

    /// <summary>apr_base64_decode: the base64 characters from the start, decoded; a last lone character is ignored.</summary>
    private static byte[] Base64Prefix(ReadOnlySpan<char> encoded)
    {
        int count = 0;
        while (count < encoded.Length && Sextet(encoded[count]) >= 0)
        {
            count++;
        }

        var bytes = new List<byte>(count * 3 / 4 + 2);
        int i = 0;
        for (; count - i >= 4; i += 4)
        {
            int quad = Sextet(encoded[i]) << 18 | Sextet(encoded[i + 1]) << 12 | Sextet(encoded[i + 2]) << 6 | Sextet(encoded[i + 3]);
            bytes.Add((byte)(quad >> 16));
            bytes.Add((byte)(quad >> 8));
            bytes.Add((byte)quad);
        }

        int left = count - i;
        if (left > 1)
        {
            bytes.Add((byte)(Sextet(encoded[i]) << 2 | Sextet(encoded[i + 1]) >> 4));
        }

        if (left > 2)
        {
            bytes.Add((byte)(Sextet(encoded[i + 1]) << 4 | Sextet(encoded[i + 2]) >> 2));
        }

        return [.. bytes];
    }

    private static int Sextet(char c) => c switch
    {
        >= 'A' and <= 'Z' => c - 'A',
        >= 'a' and <= 'z' => c - 'a' + 26,
        >= '0' and <= '9' => c - '0' + 52,
        '+' => 62,
        '/' => 63,
        _ => -1,
    };
}
