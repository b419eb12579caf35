using System.Net;

namespace WsgiHost.Access;

/// <summary>
/// One evaluation of rules for one request: the client address, normalised, and its host name, looked up on
/// first use and kept so that several host rules cost one look-up, as Apache caches it on the connection.
/// </summary>
internal sealed class AccessEvaluation
{
    private readonly IHostNameResolver _resolver;
    private bool _hostLookedUp;
    private string? _hostName;

    public AccessEvaluation(AccessRequest request)
    {
        Request = request;
        Client = IpNetwork.Normalize(request.Client);
        _resolver = request.Resolver ?? DnsHostNameResolver.Instance;
    }

    public AccessRequest Request { get; }

    /// <summary>The client, an IPv4-mapped IPv6 address turned into IPv4.</summary>
    public IPAddress Client { get; }

    public IHostNameResolver Resolver => _resolver;

    /// <summary>The authenticated user; null until authentication has run and succeeded.</summary>
    public string? User { get; set; }

    /// <summary>The groups the AuthGroupFile that applies gives a user; null when none applies.</summary>
    public Func<string, IReadOnlySet<string>?> GroupsOf { get; set; } = static _ => null;

    /// <summary>The groups the WSGIAuthGroupScript that applies gives a user; null when none applies or it failed.</summary>
    public Func<string, IReadOnlyList<string>?> ScriptGroupsOf { get; set; } = static _ => null;

    /// <summary>
    /// The client's name, only if it is double-reverse confirmed (Apache's <c>REMOTE_DOUBLE_REV</c>): the PTR name
    /// must resolve back to the client's address. Otherwise anyone controlling the reverse zone of their own
    /// addresses could claim to be <c>trusted.example.com</c>. Null when either look-up fails.
    /// </summary>
    public string? ConfirmedHostName
    {
        get
        {
            if (!_hostLookedUp)
            {
                _hostLookedUp = true;
                var name = _resolver.GetHostName(Client);
                if (name is not null && _resolver.GetAddresses(name).Any(a => IpNetwork.Normalize(a).Equals(Client)))
                {
                    _hostName = name;
                }
            }

            return _hostName;
        }
    }
}
