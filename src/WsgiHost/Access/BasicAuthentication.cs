using System.Text;

namespace WsgiHost.Access;

/// <summary>
/// mod_auth_basic with mod_authn_file: the user and password of an <c>Authorization: Basic</c> header, checked
/// against the AuthUserFile's hash for that user. Failures carry the answer and the line Apache logs
/// (AH01617 and AH01618 are what fail2ban's apache-auth filter matches).
/// </summary>
internal static class BasicAuthentication
{
    private const string Module = "auth_basic";

    /// <param name="path">The request's URL path, for the log lines.</param>
    public static (string? User, AccessDecision? Failure) Authenticate(AuthSettings auth, string? authorization, string path)
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

        if (auth.UserFile is not { } file)
        {
            return (null, AccessDecision.ServerError($"AH01619: AuthUserFile not specified in the configuration (for {path})") with { Module = "authn_file" });
        }

        string? hash;
        try
        {
            hash = PasswordFile.HashOf(file, user);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, AccessDecision.ServerError($"AH01620: Could not open password file: {file} ({e.Message})") with { Module = "authn_file" });
        }

        if (hash is null)
        {
            return (null, AccessDecision.Unauthorized($"AH01618: user {user} not found: {path}", realm) with { Module = Module });
        }

        return VerifiedPasswords.Verify(user, password, hash)
            ? (user, null)
            : (null, AccessDecision.Unauthorized($"AH01617: user {user}: authentication failure for \"{path}\": Password Mismatch", realm) with { Module = Module });
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
