namespace WsgiHost.Proxy;

/// <summary>
/// How trusted proxy headers change one request's environ: values that replace the
/// connection's, and the HTTP_* keys to leave out (synonyms not applied, or every synonym of a
/// listed category when the peer is not trusted). Null members change nothing.
/// </summary>
internal sealed record ProxyHeaderDecision
{
    public static readonly ProxyHeaderDecision None = new();

    public string? RemoteAddr { get; init; }

    public string? HttpHost { get; init; }

    public string? ServerName { get; init; }

    public string? ServerPort { get; init; }

    public string? ScriptName { get; init; }

    /// <summary>True: HTTPS=on and wsgi.url_scheme https; false: plain http; null: as the connection.</summary>
    public bool? Https { get; init; }

    /// <summary>HTTP_X_FORWARDED_FOR rewritten to start at the client that was taken.</summary>
    public string? ForwardedFor { get; init; }

    /// <summary>Header names (as sent) whose HTTP_* keys the app must not see.</summary>
    public IReadOnlySet<string> Removed { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
}
