using WsgiHost.Access;
using WsgiHost.Configuration.Model;
using WsgiHost.Logging;
using WsgiHost.Python.Runtime;
using WsgiHost.Proxy;
using WsgiHost.Routing;
using WsgiHost.StaticFiles;

namespace WsgiHost.Server;

/// <summary>
/// One virtual host (or the main server) ready to serve: its URL mapping (its own aliases
/// before the main server's), its per-directory sections (the main server's and its own, in
/// Apache's merge order), its merged defaults, and its logs.
/// </summary>
internal sealed class ScopeRuntime
{
    /// <summary>ServerName's scheme (https://name), for REQUEST_SCHEME; null: the connection's.</summary>
    private readonly string? _scheme;

    private readonly SectionWalk<SectionPayload> _sections;
    private readonly bool _hasSections;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<AliasConfig, StaticAliasHandler> _static = new();
    private readonly CanonicalName? _canonical;
    private readonly RequestOptions _default;
    private readonly RequestOptions _defaultWithAuthorization;

    /// <summary>TraceEnable for this scope: on, off or extended.</summary>
    public string TraceEnable { get; }

    /// <summary>AllowEncodedSlashes for this scope.</summary>
    public EncodedSlashes EncodedSlashes { get; }

    /// <summary>MergeSlashes for this scope: whether "//" in a path is read as "/".</summary>
    public bool MergeSlashes { get; }

    /// <summary>Apache's Timeout: for each write of a response and each read of a request body.</summary>
    public TimeSpan IoTimeout { get; }

    /// <param name="ioTimeout">Apache's Timeout, for the responses' writes and the request bodies' reads.</param>
    public ScopeRuntime(int index, ServerScope scope, ServerScope main, IErrorLog log, ScopedAccessLog[] accessLogs, TimeSpan ioTimeout)
    {
        IoTimeout = ioTimeout;
        TraceEnable = scope.TraceEnable ?? main.TraceEnable ?? "on";
        EncodedSlashes = scope.EncodedSlashes ?? main.EncodedSlashes ?? EncodedSlashes.Off;
        MergeSlashes = scope.MergeSlashes ?? main.MergeSlashes ?? true;
        Index = index;
        Scope = scope;
        ServerName = scope.ServerName ?? main.ServerName ?? "localhost";
        DocumentRoot = scope.DocumentRoot ?? main.DocumentRoot ?? "";
        bool own = ReferenceEquals(scope, main);
        Mapper = UrlMapper.ForScope(scope, main);
        Redirects = RedirectMatcher.ForScope(scope, main);
        Rewrites = new RewriteRules(scope.RewriteRules);
        RemoteIp = own ? scope.RemoteIp : Inherit(scope.RemoteIp, main.RemoteIp);
        Defaults = own ? scope.Defaults : main.Defaults.Merge(scope.Defaults);
        var sections = own ? scope.Sections : [.. main.Sections, .. scope.Sections];
        _sections = new SectionWalk<SectionPayload>(sections);
        _hasSections = sections.Count > 0;
        Log = log;
        AccessLogs = accessLogs;
        var environment = Defaults.EffectiveEnvironment();
        ProxyHeaderRules? proxy = ProxyRules(Defaults);
        bool ssl = Defaults.SslStdEnvVars == true;
        _canonical = (scope.UseCanonicalName ?? main.UseCanonicalName) == true
            ? new CanonicalName((scope.ServerName != null ? scope.ServerNamePort : main.ServerNamePort)?.ToString(System.Globalization.CultureInfo.InvariantCulture))
            : null;
        _scheme = scope.ServerName != null ? scope.ServerNameScheme : main.ServerNameScheme;
        bool certData = Defaults.SslExportCertData == true;
        _default = new RequestOptions(ServerName, false, environment, null, proxy, ssl, ioTimeout, _canonical, _scheme, certData);
        _defaultWithAuthorization = new RequestOptions(ServerName, true, environment, null, proxy, ssl, ioTimeout, _canonical, _scheme, certData);
    }

    public int Index { get; }

    /// <summary>ServerName's scheme (https://name), or null: REQUEST_SCHEME is then the connection's.</summary>
    public string? ServerNameScheme => _scheme;

    /// <summary>
    /// What an application's base environ and log depend on (DOCUMENT_ROOT, the error log), so
    /// applications survive a configuration reload that leaves them unchanged.
    /// </summary>
    public string CacheKey => $"{DocumentRoot}\n{Scope.ErrorLog}";

    public ServerScope Scope { get; }

    /// <summary>ServerName, inherited from the main server when the vhost has none.</summary>
    public string ServerName { get; }

    public string DocumentRoot { get; }

    public UrlMapper Mapper { get; }

    /// <summary>mod_remoteip in force here (a virtual host's own settings over the main server's), or null.</summary>
    public RemoteIpConfig? RemoteIp { get; }

    /// <summary>mod_remoteip's merge: each setting a virtual host leaves out is the main server's; its proxy lists go together.</summary>
    private static RemoteIpConfig? Inherit(RemoteIpConfig? own, RemoteIpConfig? main) =>
        own == null ? main
        : main == null ? own
        : new RemoteIpConfig(own.Header ?? main.Header,
            own.Internal.Count + own.Trusted.Count > 0 ? own.Internal : main.Internal,
            own.Internal.Count + own.Trusted.Count > 0 ? own.Trusted : main.Trusted,
            own.ProxiesHeader ?? main.ProxiesHeader);

    /// <summary>The scope's RewriteRules (the main server's too only under RewriteOptions Inherit, as in Apache), tried before everything.</summary>
    public RewriteRules Rewrites { get; }

    /// <summary>Redirect and RedirectMatch, tried before the mapper.</summary>
    public RedirectMatcher Redirects { get; }

    public PerDirSettings Defaults { get; }

    public IErrorLog Log { get; }

    public ScopedAccessLog[] AccessLogs { get; }

    /// <summary>The handler of an Alias; AliasMatch targets differ per request, so those are made per request.</summary>
    public StaticAliasHandler StaticHandler(MappedUrl mapped) => mapped.Alias!.IsRegex
        ? new StaticAliasHandler(mapped.Target, MimeTypes.Default)
        : _static.GetOrAdd(mapped.Alias, a => new StaticAliasHandler(a.Target, MimeTypes.Default));

    /// <summary>What the exchange needs from the configuration; shared instances for the common cases.</summary>
    /// <param name="variables">The request's variable assignments (<see cref="Metadata.RequestVariables"/>): its settings' SetEnv list unless SetEnvIf added to it.</param>
    public RequestOptions RequestOptionsFor(PerDirSettings settings, IReadOnlyList<KeyValuePair<string, string?>> variables, bool passAuthorization, string? methodOverride)
    {
        if (ReferenceEquals(settings, Defaults) && methodOverride == null && ReferenceEquals(variables, settings.SetEnv))
        {
            return passAuthorization ? _defaultWithAuthorization : _default;
        }
        return new RequestOptions(ServerName, passAuthorization, Metadata.RequestVariables.Fold(variables), methodOverride, ProxyRules(settings), settings.SslStdEnvVars == true, IoTimeout, _canonical, _scheme, settings.SslExportCertData == true);
    }

    /// <summary>The trusted proxy rules of some settings (validated when the configuration was read).</summary>
    private static ProxyHeaderRules? ProxyRules(PerDirSettings settings)
    {
        if (settings.TrustedProxyHeaders is not { Count: > 0 } headers)
        {
            return null;
        }
        var trusted = settings.TrustedProxies?.Select(t => IpNetwork.TryParse(t, out IpNetwork? n, out _) == IpNetwork.ParseOutcome.Parsed ? n! : null)
            .OfType<IpNetwork>().ToList();
        return new ProxyHeaderRules(headers, trusted);
    }

    /// <summary>The settings and access rules for a URL and the file it maps to, merged in Apache's order.</summary>
    public (PerDirSettings Settings, AccessRules? Access) Resolve(string urlPath, string? filePath)
    {
        if (!_hasSections)
        {
            return (Defaults, null);
        }
        PerDirSettings settings = Defaults;
        AccessRules? access = null;
        foreach (SectionPayload payload in _sections.Applicable(urlPath, filePath))
        {
            settings = settings.Merge(payload.Settings);
            if (payload.Access != null)
            {
                access = AccessRules.Merge(access, payload.Access);
            }
        }
        return (settings, access);
    }
}
