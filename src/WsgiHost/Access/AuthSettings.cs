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
/// <param name="Providers">AuthBasicProvider: <c>file</c> and <c>wsgi</c>, asked in order until one knows the user; null: <c>file</c>.</param>
/// <param name="UserScript">WSGIAuthUserScript: the <c>wsgi</c> provider's <c>check_password</c>.</param>
/// <param name="GroupScript">WSGIAuthGroupScript: <c>Require wsgi-group</c>'s <c>groups_for_user</c>.</param>
/// <param name="AccessScript">WSGIAccessScript: <c>allow_access</c>, asked beside Order/Allow/Deny. Not authentication, but
/// mod_wsgi configures and merges it with its other hooks (AuthConfig directives, inherited unless a section sets one).</param>
internal sealed record AuthSettings(string? Type, string? Realm, string? UserFile, string? GroupFile,
    IReadOnlyList<string>? Providers = null, AuthScriptRef? UserScript = null, AuthScriptRef? GroupScript = null, AuthScriptRef? AccessScript = null)
{
    /// <summary>The providers asked, in order: AuthBasicProvider's, else mod_auth_basic's default, <c>file</c>.</summary>
    public IReadOnlyList<string> ProvidersInOrder => Providers ?? DefaultProviders;

    private static readonly string[] DefaultProviders = ["file"];

    /// <summary>Whether a request under these settings may run a Python auth script.</summary>
    public bool UsesScripts => UserScript is not null && ProvidersInOrder.Contains("wsgi") || GroupScript is not null || AccessScript is not null;

    public bool IsBasic => string.Equals(Type, "Basic", StringComparison.OrdinalIgnoreCase);

    public static AuthSettings? Merge(AuthSettings? parent, AuthSettings? child) =>
        parent is null ? child
        : child is null ? parent
        : new AuthSettings(child.Type ?? parent.Type, child.Realm ?? parent.Realm, child.UserFile ?? parent.UserFile, child.GroupFile ?? parent.GroupFile,
            child.Providers ?? parent.Providers, child.UserScript ?? parent.UserScript, child.GroupScript ?? parent.GroupScript, child.AccessScript ?? parent.AccessScript);
}
