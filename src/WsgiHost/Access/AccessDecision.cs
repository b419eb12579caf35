namespace WsgiHost.Access;

/// <summary>Whether a request may proceed, and a short reason in the words Apache logs.</summary>
/// <param name="Reason">For a denial, the error-log line Apache writes, e.g.
/// <c>AH01630: client denied by server configuration: /srv/app/admin</c>, which log watchers such as
/// fail2ban match on; for a grant, what granted it.</param>
internal sealed record AccessDecision(bool IsGranted, string Reason)
{
    /// <summary>The answer to a refused request: 403, 401 (credentials needed or refused) or 500 (authentication
    /// misconfigured, or its files unreadable); 0 for a grant.</summary>
    public int Status { get; init; }

    /// <summary>For a 401: the realm (AuthName) of the <c>WWW-Authenticate: Basic</c> challenge.</summary>
    public string? Realm { get; init; }

    /// <summary>For a grant after authentication: the user (REMOTE_USER, the access log's %u); for a 401 to
    /// credentials that did not pass, the user they named, which Apache's access log shows as %u too.</summary>
    public string? User { get; init; }

    /// <summary>The module Apache names in the log line: authz_core (rules), auth_basic (credentials), core.</summary>
    public string Module { get; init; } = "authz_core";

    /// <summary>Logged at debug level only: a request that simply came without credentials yet.</summary>
    public bool Quiet { get; init; }

    public static AccessDecision Granted(string reason) => new(true, reason);

    public static AccessDecision Denied(string reason) => new(false, reason) { Status = 403 };

    /// <summary>401 with a challenge, so the client asks for (other) credentials.</summary>
    public static AccessDecision Unauthorized(string reason, string realm) => new(false, reason) { Status = 401, Realm = realm };

    public static AccessDecision ServerError(string reason) => new(false, reason) { Status = 500 };
}
