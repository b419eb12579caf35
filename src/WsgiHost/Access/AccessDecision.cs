namespace WsgiHost.Access;

/// <summary>Whether a request may proceed, and a short reason in the words Apache logs.</summary>
/// <param name="Reason">For a denial, the error-log line Apache writes, e.g.
/// <c>AH01630: client denied by server configuration: /srv/app/admin</c>, which log watchers such as
/// fail2ban match on; for a grant, what granted it.</param>
internal sealed record AccessDecision(bool IsGranted, string Reason)
{
    public static AccessDecision Granted(string reason) => new(true, reason);

    public static AccessDecision Denied(string reason) => new(false, reason);
}
