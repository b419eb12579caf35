using System.Text;

namespace WsgiHost.Access;

/// <summary>
/// The access rules of one section, or of a request after merging every section that applies to it
/// (<see cref="Merge"/>, in <see cref="SectionWalk{T}"/> order). Immutable.
/// </summary>
internal sealed class AccessRules
{
    internal AccessRules(ContainerRule? require, AuthMergingMode? merging, LegacyAccess? legacy, SatisfyMode? satisfy, AuthSettings? auth = null)
    {
        Require = require;
        Merging = merging;
        Legacy = legacy;
        Satisfy = satisfy;
        Auth = auth;
    }

    /// <summary>AuthType, AuthName, AuthUserFile, AuthGroupFile; null when no section sets any.</summary>
    public AuthSettings? Auth { get; }

    /// <summary>mod_authz_core's rule tree; null when no Require applies.</summary>
    internal ContainerRule? Require { get; }

    /// <summary>This section's AuthMerging, null when not set. It only says how this section merges with its
    /// parent; it is not inherited ("the AuthMerging setting is not inherited outside of the section").</summary>
    public AuthMergingMode? Merging { get; }

    /// <summary>mod_access_compat's Order/Allow/Deny; null when none applies.</summary>
    internal LegacyAccess? Legacy { get; }

    /// <summary>core's Satisfy, null when not set (which behaves as All).</summary>
    public SatisfyMode? Satisfy { get; }

    public bool HasRequire => Require is not null;

    public bool HasOrderAllowDeny => Legacy is not null;

    /// <summary>
    /// The rules for <paramref name="child"/> given those of the sections before it. Each part merges as the
    /// Apache module that owns it does:
    /// <list type="bullet">
    /// <item>Require (mod_authz_core <c>merge_authz_core_dir_config</c>): a section with no authz directive at all
    /// inherits; with AuthMerging unset or Off its Require rules replace the parent's (and a bare
    /// <c>AuthMerging Off</c> leaves no rules: the module copies the new, empty config); with And or Or the
    /// parent's tree and the section's become the two children of a new AND/OR node, or the parent's alone
    /// when the section has no Require.</item>
    /// <item>Order/Allow/Deny (mod_access_compat, which has no merge function, so "default is to override"):
    /// a section with any of them replaces the parent's as a whole, its Order defaulting to deny,allow again.</item>
    /// <item>Satisfy (core): inherited unless the section sets it.</item>
    /// <item>AuthType, AuthName, AuthUserFile, AuthGroupFile: each inherited unless the section sets it.</item>
    /// </list>
    /// </summary>
    public static AccessRules Merge(AccessRules? parent, AccessRules child)
    {
        if (parent is null)
        {
            return child;
        }

        return new AccessRules(
            MergeRequire(parent, child),
            child.Merging,
            child.Legacy ?? parent.Legacy,
            child.Satisfy ?? parent.Satisfy,
            AuthSettings.Merge(parent.Auth, child.Auth));
    }

    /// <summary>Folds <see cref="Merge"/> over the sections in the order they apply; null entries (sections with
    /// no access directives) change nothing. Null when no section had any.</summary>
    public static AccessRules? MergeAll(IEnumerable<AccessRules?> sectionsInOrder)
    {
        AccessRules? merged = null;
        foreach (var rules in sectionsInOrder)
        {
            if (rules is not null)
            {
                merged = Merge(merged, rules);
            }
        }

        return merged;
    }

    private static ContainerRule? MergeRequire(AccessRules parent, AccessRules child)
    {
        if (child.Merging is null && child.Require is null)
        {
            return parent.Require;
        }

        if (child.Merging is null or AuthMergingMode.Off)
        {
            return child.Require;
        }

        if (parent.Require is null || child.Require is null)
        {
            return child.Require ?? parent.Require;
        }

        var logic = child.Merging == AuthMergingMode.And ? RequireLogic.All : RequireLogic.Any;
        return new ContainerRule(logic, negated: false, [parent.Require, child.Require]);
    }

    /// <summary><see cref="Evaluate(AccessRequest)"/> where no rules at all means granted, as Apache grants
    /// when neither mod_access_compat nor mod_authz_core has anything to say.</summary>
    public static AccessDecision Evaluate(AccessRules? rules, AccessRequest request) =>
        rules?.Evaluate(request) ?? AccessDecision.Granted("granted (no directives)");

    /// <summary>
    /// Apache 2.4 runs mod_access_compat (Order/Allow/Deny) in the access-checker phase, then mod_authz_core
    /// (Require) in the authorization phase (request.c, <c>ap_process_request_internal</c>):
    /// <list type="bullet">
    /// <item>Satisfy All (the default): a denial by Order/Allow/Deny is final (logged as AH01797); then Require,
    /// if any applies, must grant (a neutral result denies too, logged as AH01630).</item>
    /// <item>Satisfy Any: the request is granted when Order/Allow/Deny permits it, or else when Require grants.</item>
    /// </list>
    /// One deliberate difference: in Apache, a part with no directives "passes", so Satisfy Any with only
    /// Require rules grants every client (an empty access checker returns OK), and with only Order/Allow/Deny
    /// grants every client too (authz with no directives is "granted (no directives)"). That is a 2.2-era
    /// configuration meaning "these hosts or an authenticated user" after authentication was dropped, and
    /// honouring it would silently open the site. Here, under Satisfy Any, a part with no rules does not count
    /// as passing: the other part decides alone.
    /// </summary>
    public AccessDecision Evaluate(AccessRequest request)
    {
        var evaluation = new AccessEvaluation(request);
        // mod_wsgi's WSGIAccessScript is an access checker too, asked beside Order/Allow/Deny.
        bool? scriptAllows = Auth?.AccessScript is { } accessScript ? AllowedByScript(accessScript, request) : null;
        if (Satisfy == SatisfyMode.Any && Require is not null && (Legacy is not null || scriptAllows is not null))
        {
            // The access checkers pass when none denies and one grants: Order/Allow/Deny, or the script saying True.
            if (scriptAllows != false && (Legacy?.Permits(evaluation) ?? scriptAllows == true))
            {
                return AccessDecision.Granted(Legacy is null ? "granted by WSGIAccessScript (Satisfy Any)" : "granted by Order/Allow/Deny (Satisfy Any)");
            }

            return EvaluateRequire(Require, evaluation, request);
        }

        if (scriptAllows == false)
        {
            return AccessDecision.Denied($"Client denied by server configuration: '{request.Path}' (WSGIAccessScript '{Auth!.AccessScript!.Path}').") with { Module = "wsgi" };
        }

        if (Legacy is not null && !Legacy.Permits(evaluation))
        {
            return AccessDecision.Denied($"AH01797: client denied by server configuration: {request.Path}");
        }

        if (Require is null)
        {
            if (Auth is { IsBasic: true })
            {
                // authorize_user_core: authentication that no rule asks for is a configuration error in Apache.
                return AccessDecision.ServerError($"AH01627: AuthType configured with no corresponding authorization directives (add Require valid-user where AuthType Basic is set): {request.Path}");
            }

            return AccessDecision.Granted(Legacy is null ? "granted (no directives)" : "granted by Order/Allow/Deny");
        }

        return EvaluateRequire(Require, evaluation, request);
    }

    /// <summary>
    /// mod_authz_core's two passes (<c>authorize_user_core</c>): the rules first without a user; when only an
    /// authenticated user could pass them, mod_auth_basic authenticates the client and the rules run again
    /// with the user. A client that gave no or wrong credentials, or whose user the rules refuse, gets 401
    /// with the challenge, so the browser asks again.
    /// </summary>
    private AccessDecision EvaluateRequire(ContainerRule require, AccessEvaluation evaluation, AccessRequest request)
    {
        var result = require.Evaluate(evaluation);
        if (result == AuthzResult.Granted)
        {
            return AccessDecision.Granted("authorization result: granted");
        }

        if (result != AuthzResult.DeniedNoUser)
        {
            return AccessDecision.Denied($"AH01630: client denied by server configuration: {request.Path}");
        }

        if (Auth is not { IsBasic: true } auth)
        {
            return AccessDecision.ServerError($"AH00027: No authentication done but request not allowed without authentication for {request.Uri ?? request.Path}. Authentication not configured? (set AuthType Basic, AuthName and AuthUserFile where the Require valid-user, user or group rule applies)") with { Module = "core" };
        }

        var authentication = BasicAuthentication.Authenticate(auth, request.Authorization, request.Uri ?? request.Path, request.Scripts);
        if (authentication.User is not { } user)
        {
            return authentication.Failure!;
        }

        evaluation.User = user;
        bool groupFileUnreadable = false;
        if (auth.GroupFile is { } groupFile)
        {
            evaluation.GroupsOf = name =>
            {
                var groups = GroupFile.GroupsOf(groupFile, name);
                groupFileUnreadable |= groups is null;
                return groups;
            };
        }

        string? groupScriptFailure = null;
        evaluation.ScriptGroupsOf = name =>
        {
            var (groups, failure) = ScriptGroups(auth, request.Scripts, name);
            groupScriptFailure ??= failure;
            return groups;
        };

        var withUser = require.Evaluate(evaluation);
        if (groupFileUnreadable && withUser != AuthzResult.Granted)
        {
            // Apache 2.4 (checked side by side): the user is in no group, a 401, and the log says why.
            return AccessDecision.Unauthorized($"AH01665: Could not open group file: {auth.GroupFile}", auth.Realm!) with { Module = "authz_groupfile" };
        }

        if (groupScriptFailure is not null && withUser != AuthzResult.Granted)
        {
            // mod_wsgi's wsgi-group provider turns its own failure into AUTHZ_DENIED: the user is in no group, a 401.
            return AccessDecision.Unauthorized($"AH01631: user {Logging.LogItemEscaper.Escape(user)}: authorization failure for \"{request.Uri ?? request.Path}\": {groupScriptFailure}", auth.Realm!) with { Module = "wsgi", User = user };
        }

        return withUser == AuthzResult.Granted
            ? AccessDecision.Granted($"authorization result: granted (user {user})") with { User = user }
            : AccessDecision.Unauthorized($"AH01631: user {Logging.LogItemEscaper.Escape(user)}: authorization failure for \"{request.Uri ?? request.Path}\": ", auth.Realm!) with { User = user };
    }

    /// <summary>
    /// The WSGIAccessScript's <c>allow_access(environ, host)</c> for the client, by address (as Apache passes it
    /// without HostnameLookups): a script that cannot run denies, as mod_wsgi's does.
    /// </summary>
    private static bool? AllowedByScript(AuthScriptRef script, AccessRequest request) =>
        request.Scripts is { } scripts ? scripts.AllowAccess(script, IpNetwork.Normalize(request.Client).ToString()) : false;

    /// <summary><c>Require wsgi-group</c>'s groups for <paramref name="user"/>, or why there are none.</summary>
    private static (IReadOnlyList<string>? Groups, string? Failure) ScriptGroups(AuthSettings auth, IAuthScripts? scripts, string user)
    {
        if (auth.GroupScript is not { } script)
        {
            return (null, "Location of WSGI group authorization script not provided (Require wsgi-group needs a WSGIAuthGroupScript where it applies).");
        }

        if (scripts is null)
        {
            return (null, $"WSGIAuthGroupScript '{script.Path}' ({script.Location}) cannot run: there is no Python in this process (WSGIRestrictEmbedded On).");
        }

        return scripts.GroupsOf(script, user) is { } groups ? (groups, null) : (null, $"WSGIAuthGroupScript '{script.Path}' ({script.Location}) failed; its error is logged above.");
    }

    /// <summary>The rules in configuration syntax, one part per line, for diagnostics and tests.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        if (Require is not null)
        {
            text.Append(Require).Append('\n');
        }

        if (Legacy is not null)
        {
            text.Append(Legacy).Append('\n');
        }

        if (Satisfy is { } satisfy)
        {
            text.Append("Satisfy ").Append(satisfy).Append('\n');
        }

        return text.ToString().TrimEnd('\n');
    }
}
