namespace WsgiHost.Access;

/// <summary>
/// The rules about who the client is (mod_authz_user, mod_authz_groupfile). Before authentication they
/// answer <see cref="AuthzResult.DeniedNoUser"/>, which makes the server ask for credentials; after it,
/// they test the authenticated user.
/// </summary>
internal abstract class UserProvider : AuthzProvider
{
    public sealed override bool Grants(AccessEvaluation evaluation) => Check(evaluation) == AuthzResult.Granted;

    public sealed override AuthzResult Check(AccessEvaluation evaluation) =>
        evaluation.User is not { } user ? AuthzResult.DeniedNoUser
        : Admits(user, evaluation) ? AuthzResult.Granted
        : AuthzResult.Denied;

    protected abstract bool Admits(string user, AccessEvaluation evaluation);
}

/// <summary><c>Require valid-user</c>: anyone who authenticated.</summary>
internal sealed class ValidUserProvider : UserProvider
{
    protected override bool Admits(string user, AccessEvaluation evaluation) => true;

    public override string ToString() => "valid-user";
}

/// <summary><c>Require user alice bob</c>: those users, by exact name.</summary>
internal sealed class NamedUserProvider(IReadOnlyList<string> users) : UserProvider
{
    protected override bool Admits(string user, AccessEvaluation evaluation) => users.Contains(user, StringComparer.Ordinal);

    public override string ToString() => "user " + string.Join(' ', users);
}

/// <summary><c>Require group staff</c>: a member of one of the groups of the AuthGroupFile that applies.</summary>
internal sealed class GroupProvider(IReadOnlyList<string> groups) : UserProvider
{
    protected override bool Admits(string user, AccessEvaluation evaluation) =>
        evaluation.GroupsOf(user) is { } member && groups.Any(member.Contains);

    public override string ToString() => "group " + string.Join(' ', groups);
}

/// <summary>
/// <c>Require wsgi-group staff</c> (mod_wsgi's authz provider): a member of one of the groups that the
/// WSGIAuthGroupScript's <c>groups_for_user(environ, user)</c> gives the user, compared as mod_wsgi looks them
/// up in an APR table: without case for ASCII letters only (strcasecmp), so "CAFÉ" is not "café".
/// </summary>
internal sealed class WsgiGroupProvider(IReadOnlyList<string> groups) : UserProvider
{
    protected override bool Admits(string user, AccessEvaluation evaluation) =>
        evaluation.ScriptGroupsOf(user) is { } member && groups.Any(g => member.Any(m => AsciiCaseless.Same(m, g)));

    public override string ToString() => "wsgi-group " + string.Join(' ', groups);
}

/// <summary>strcasecmp's equality: ASCII letters compared without case, every other character exactly.</summary>
internal static class AsciiCaseless
{
    public static bool Same(string a, string b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] != b[i] && (!char.IsAsciiLetter(a[i]) || (a[i] | 0x20) != (b[i] | 0x20)))
            {
                return false;
            }
        }

        return true;
    }
}
