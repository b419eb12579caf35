namespace WsgiHost.Access;

/// <summary>mod_authz_core's <c>authz_status</c> without the user-related values: a rule grants, denies, or
/// (a negated rule that did not match, or a container of such) has no opinion.</summary>
internal enum AuthzResult
{
    Neutral,
    Granted,
    Denied,
}
