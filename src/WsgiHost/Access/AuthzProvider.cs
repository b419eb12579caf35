using System.Net;

namespace WsgiHost.Access;

/// <summary>One <c>Require</c> provider with its parsed arguments (<c>all granted</c>, <c>ip 10.0.0.0/8</c>).</summary>
internal abstract class AuthzProvider
{
    /// <summary>Granted or denied; negation and neutrality are the container's business.</summary>
    public abstract bool Grants(AccessEvaluation evaluation);

    /// <summary>
    /// The provider's answer: <see cref="Grants"/> for rules about the client, and
    /// <see cref="AuthzResult.DeniedNoUser"/> from a rule about the user while nobody is authenticated.
    /// </summary>
    public virtual AuthzResult Check(AccessEvaluation evaluation) => Grants(evaluation) ? AuthzResult.Granted : AuthzResult.Denied;

    /// <summary>The directive as written after <c>Require</c>, for descriptions.</summary>
    public abstract override string ToString();
}

internal sealed class AllProvider(bool granted) : AuthzProvider
{
    public override bool Grants(AccessEvaluation evaluation) => granted;

    public override string ToString() => granted ? "all granted" : "all denied";
}

internal sealed class IpProvider(IReadOnlyList<IpNetwork> networks) : AuthzProvider
{
    public override bool Grants(AccessEvaluation evaluation) => networks.Any(n => n.Contains(evaluation.Client));

    public override string ToString() => "ip " + string.Join(' ', networks);
}

/// <summary><c>Require host</c>: the double-reverse-confirmed client name is in one of the domains. With no
/// confirmed name the rule denies, as mod_authz_host does ("unable to get the remote host name").</summary>
internal sealed class HostProvider(IReadOnlyList<HostNamePattern> names) : AuthzProvider
{
    public override bool Grants(AccessEvaluation evaluation) =>
        evaluation.ConfirmedHostName is { } host && names.Any(n => n.Matches(host));

    public override string ToString() => "host " + string.Join(' ', names);
}

/// <summary><c>Require forward-dns</c> (httpd 2.4.19+): the client's address is one the name resolves to; no
/// reverse look-up, which suits dynamic-DNS names.</summary>
internal sealed class ForwardDnsProvider(IReadOnlyList<string> names) : AuthzProvider
{
    public override bool Grants(AccessEvaluation evaluation) =>
        names.Any(n => evaluation.Resolver.GetAddresses(n).Any(a => IpNetwork.Normalize(a).Equals(evaluation.Client)));

    public override string ToString() => "forward-dns " + string.Join(' ', names);
}

/// <summary><c>Require local</c>: 127.0.0.0/8, ::1, or a client whose address is the server's own on the
/// connection, the three tests of mod_authz_host's <c>local_check_authorization</c>.</summary>
internal sealed class LocalProvider : AuthzProvider
{
    public override bool Grants(AccessEvaluation evaluation)
    {
        var client = evaluation.Client;
        if (IPAddress.IsLoopback(client))
        {
            return true;
        }

        return evaluation.Request.Local is { } local && IpNetwork.Normalize(local).Equals(client);
    }

    public override string ToString() => "local";
}

/// <summary><c>Require env VAR ...</c> (mod_authz_core): granted when the request sets one of the variables, by SetEnvIf or SetEnv.</summary>
/// <summary>
/// <c>Require ssl-verify-client</c> (mod_ssl): the client's certificate verified in the handshake
/// (SSL_CLIENT_VERIFY SUCCESS; GENEROUS from optional_no_ca does not count), as with
/// <c>SSLVerifyClient optional</c> in the virtual host it asks for one without requiring it.
/// </summary>
internal sealed class SslVerifyClientProvider : AuthzProvider
{
    public override bool Grants(AccessEvaluation evaluation) => evaluation.Request.ClientCertificateVerified;

    public override string ToString() => "ssl-verify-client";
}

internal sealed class EnvProvider(IReadOnlyList<string> names) : AuthzProvider
{
    public override bool Grants(AccessEvaluation evaluation) => names.Any(evaluation.Request.Sets);

    public override string ToString() => "env " + string.Join(' ', names);
}
