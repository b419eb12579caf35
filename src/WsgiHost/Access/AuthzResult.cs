namespace WsgiHost.Access;

/// <summary>mod_authz_core's <c>authz_status</c>: a rule grants, denies, has no opinion (a negated rule that
/// did not match, or a container of such), or cannot decide before the client says who it is.</summary>
internal enum AuthzResult
{
    Neutral,
    Granted,
    Denied,

    /// <summary><c>AUTHZ_DENIED_NO_USER</c>: a user rule (<c>Require valid-user</c>) met a request nobody has
    /// authenticated yet; an authenticated user may change the answer, so authentication runs.</summary>
    DeniedNoUser,
}
