using System.Net;

namespace WsgiHost.Access;

/// <summary>What access rules are evaluated against.</summary>
/// <param name="Client">The client's address; an IPv4-mapped IPv6 address matches IPv4 rules.</param>
/// <param name="Path">The file the URL maps to, or the URL path when it maps to none; only used in the reason
/// logged on denial, as Apache logs <c>r-&gt;filename</c> (or <c>uri</c> and the URI).</param>
/// <param name="Resolver">Used only when a host rule is evaluated; null means the system DNS.</param>
/// <param name="Local">The server's address on the connection: <c>Require local</c> also grants a client that
/// connects from the server's own address, as mod_authz_host compares the two.</param>
/// <param name="Variables">The request's variable assignments (SetEnvIf, SetEnv), for <c>Require env</c> and <c>Allow from env=</c>.</param>
/// <param name="Authorization">The request's Authorization header, for Basic authentication; null when absent.</param>
/// <param name="Uri">The URL path, which authentication's log lines name (Apache's <c>r-&gt;uri</c>); null: <paramref name="Path"/>.</param>
/// <param name="Scripts">Runs WSGIAuthUserScript and WSGIAuthGroupScript hooks for this request; null where none can run.</param>
/// <param name="ClientCertificateVerified">The TLS client sent a certificate that verified (SSL_CLIENT_VERIFY SUCCESS), for <c>Require ssl-verify-client</c>.</param>
internal sealed record AccessRequest(IPAddress Client, string Path, IHostNameResolver? Resolver = null, IPAddress? Local = null,
    IReadOnlyList<KeyValuePair<string, string?>>? Variables = null, string? Authorization = null, string? Uri = null, IAuthScripts? Scripts = null,
    bool ClientCertificateVerified = false)
{
    /// <summary>Whether the request's variables set <paramref name="name"/>.</summary>
    public bool Sets(string name) => Variables != null && Metadata.RequestVariables.IsSet(Variables, name);
}
