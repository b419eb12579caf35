namespace WsgiHost.Server;

/// <summary>What the configuration decided for one WSGI request that the exchange needs while building the environ.</summary>
/// <param name="ServerName">SERVER_NAME when the request has no Host header.</param>
/// <param name="Environment">SetEnv values: they reach the WSGI environ, never os.environ.</param>
/// <param name="MethodOverride">REQUEST_METHOD to show instead of the real one (WSGIMapHEADToGET On), or null.</param>
/// <param name="ProxyHeaders">WSGITrustedProxyHeaders/WSGITrustedProxies in force, or null.</param>
/// <param name="SendTimeout">Apache's Timeout for the response's writes (<see cref="StalledClient"/>).</param>
internal sealed record RequestOptions(string ServerName, bool PassAuthorization, IReadOnlyList<KeyValuePair<string, string>> Environment, string? MethodOverride,
    Proxy.ProxyHeaderRules? ProxyHeaders = null, bool SslEnvironment = false, TimeSpan SendTimeout = default)
{
    /// <summary>Apache's default Timeout (before <see cref="Default"/>: static fields start in this order).</summary>
    public static readonly TimeSpan DefaultSendTimeout = TimeSpan.FromSeconds(60);

    public static readonly RequestOptions Default = new("localhost", false, [], null, SendTimeout: DefaultSendTimeout);
}
