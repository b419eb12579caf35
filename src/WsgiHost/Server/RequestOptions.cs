namespace WsgiHost.Server;

/// <summary>What the configuration decided for one WSGI request that the exchange needs while building the environ.</summary>
/// <param name="ServerName">SERVER_NAME when the request has no Host header.</param>
/// <param name="Environment">SetEnv values: they reach the WSGI environ, never os.environ.</param>
/// <param name="MethodOverride">REQUEST_METHOD to show instead of the real one (WSGIMapHEADToGET On), or null.</param>
/// <param name="ProxyHeaders">WSGITrustedProxyHeaders/WSGITrustedProxies in force, or null.</param>
/// <param name="Canonical">UseCanonicalName On: SERVER_NAME and SERVER_PORT from ServerName, not from Host; null for Off.</param>
/// <param name="SslCertData">SSLOptions +ExportCertData: with <paramref name="SslEnvironment"/>, SSL_SERVER_CERT and SSL_CLIENT_CERT too.</param>
/// <param name="Scheme">REQUEST_SCHEME from ServerName's scheme (https://name), or null for the connection's.</param>
/// <param name="IoTimeout">Apache's Timeout: for each write of the response (<see cref="StalledClient"/>) and each read of the request body (<see cref="BodyReadTimeout"/>).</param>
internal sealed record RequestOptions(string ServerName, bool PassAuthorization, IReadOnlyList<KeyValuePair<string, string>> Environment, string? MethodOverride,
    Proxy.ProxyHeaderRules? ProxyHeaders = null, bool SslEnvironment = false, TimeSpan IoTimeout = default, CanonicalName? Canonical = null, string? Scheme = null, bool SslCertData = false)
{
    /// <summary>Apache's default Timeout (before <see cref="Default"/>: static fields start in this order).</summary>
    public static readonly TimeSpan DefaultIoTimeout = TimeSpan.FromSeconds(60);

    public static readonly RequestOptions Default = new("localhost", false, [], null, IoTimeout: DefaultIoTimeout);
}

/// <summary>UseCanonicalName On: SERVER_NAME is ServerName, SERVER_PORT its port (null: the scheme's, 80 or 443).</summary>
internal sealed record CanonicalName(string? Port);
