namespace WsgiHost.Access;

/// <summary>
/// A section's authentication settings: <c>AuthType</c> and <c>AuthName</c> (mod_authn_core),
/// <c>AuthUserFile</c> (mod_authn_file) and <c>AuthGroupFile</c> (mod_authz_groupfile). Null fields are not
/// set here and inherit: each module merges its own, and a section names only what it changes.
/// </summary>
/// <param name="Type"><c>Basic</c> or <c>None</c> as written; null when not set.</param>
/// <param name="Realm">AuthName: the realm the browser shows when it asks for credentials.</param>
/// <param name="UserFile">An htpasswd file, absolute.</param>
/// <param name="GroupFile">A group file (<c>group: user user ...</c> lines), absolute.</param>
internal sealed record AuthSettings(string? Type, string? Realm, string? UserFile, string? GroupFile)
{
    public bool IsBasic => string.Equals(Type, "Basic", StringComparison.OrdinalIgnoreCase);

    public static AuthSettings? Merge(AuthSettings? parent, AuthSettings? child) =>
        parent is null ? child
        : child is null ? parent
        : new AuthSettings(child.Type ?? parent.Type, child.Realm ?? parent.Realm, child.UserFile ?? parent.UserFile, child.GroupFile ?? parent.GroupFile);
}
