using WsgiHost.Access;
using WsgiHost.Configuration.Model;
using WsgiHost.Configuration.Syntax;
using WsgiHost.Routing;

namespace WsgiHost.Configuration.Directives;

/// <summary>The main server or one &lt;VirtualHost&gt; while its directives are being applied.</summary>
internal sealed class ScopeBuilder(SourceLocation location, bool isVirtualHost, IReadOnlyList<IPEndPointPattern> addresses)
{
    public SourceLocation Location { get; } = location;

    public bool IsVirtualHost { get; } = isVirtualHost;

    public IReadOnlyList<IPEndPointPattern> Addresses { get; } = addresses;

    public string? ServerName { get; set; }

    public int? ServerNamePort { get; set; }

    public string? ServerNameScheme { get; set; }

    public List<string> ServerAliases { get; } = [];

    public string? DocumentRoot { get; set; }

    public List<AliasConfig> Aliases { get; } = [];

    public List<RedirectConfig> Redirects { get; } = [];

    /// <summary>RewriteEngine here; rules apply only where it is On (Apache's default is Off).</summary>
    public bool? RewriteEngine { get; set; }

    /// <summary>RewriteCond lines waiting for the RewriteRule they belong to.</summary>
    public List<RewriteCondConfig> RewriteConditions { get; } = [];

    public List<RewriteRuleConfig> RewriteRules { get; } = [];

    public RewriteInheritance RewriteInherit { get; set; }

    public List<ScriptAliasConfig> ScriptAliases { get; } = [];

    public PerDirBuilder Defaults { get; } = new();

    public List<Section<SectionPayload>> Sections { get; } = [];

    public bool? SslEngine { get; set; }

    public ConfigNode? SslEngineNode { get; set; }

    public string? CertificateFile { get; set; }

    public string? KeyFile { get; set; }

    public string? ChainFile { get; set; }

    /// <summary>SSLProtocol here; a virtual host without one takes the main server's, as mod_ssl merges them.</summary>
    public System.Security.Authentication.SslProtocols? SslProtocols { get; set; }

    /// <summary>SSLCipherSuite (SSL) here, expanded: the TLS 1.2 suites; the main server's when not written.</summary>
    public IReadOnlyList<System.Net.Security.TlsCipherSuite>? CipherSuites12 { get; set; }

    /// <summary>SSLStrictSNIVHostCheck here; the main server's when not written.</summary>
    public bool? StrictSni { get; set; }

    public ClientVerifyMode? VerifyClient { get; set; }

    public int? VerifyDepth { get; set; }

    public string? CaCertificateFile { get; set; }

    public string? CaCertificatePath { get; set; }

    /// <summary>SSLCACertificateFile or SSLCACertificatePath was written here (valid or not: a missing file is its own error).</summary>
    public bool CaWritten { get; set; }

    /// <summary>SSLVerifyClient (not none) with what it needs, as this virtual host inherits them from the main server; null: none asked for.</summary>
    private ClientCertificateConfig? ClientCertificates(ScopeBuilder? main) =>
        (VerifyClient ?? main?.VerifyClient ?? ClientVerifyMode.None) is var mode && mode == ClientVerifyMode.None ? null
            : new ClientCertificateConfig(mode, VerifyDepth ?? main?.VerifyDepth ?? 1, CaCertificateFile ?? main?.CaCertificateFile, CaCertificatePath ?? main?.CaCertificatePath);

    /// <summary>SSLCipherSuite TLSv1.3 here, expanded; the main server's when not written.</summary>
    public IReadOnlyList<System.Net.Security.TlsCipherSuite>? CipherSuites13 { get; set; }

    public string? ErrorLog { get; set; }

    /// <summary>LogFormat nicknames defined in this virtual host: its CustomLogs see them before the server's.</summary>
    public Dictionary<string, string> LogFormats { get; } = new(StringComparer.Ordinal);

    /// <summary>A virtual host's own LogLevel (its level without a module); null: the server's.</summary>
    public WsgiHost.Python.Runtime.ErrorLogLevel? LogLevel { get; set; }

    /// <summary>A virtual host's own per-module levels (over the server's).</summary>
    public Dictionary<string, WsgiHost.Python.Runtime.ErrorLogLevel> ModuleLogLevels { get; } = new(StringComparer.OrdinalIgnoreCase);

    public bool ProxyProtocol { get; set; }

    /// <summary>UseCanonicalName as written; null when not.</summary>
    public bool? UseCanonicalName { get; set; }

    /// <summary>TraceEnable as written (on, off, extended); null when not.</summary>
    public string? TraceEnable { get; set; }

    /// <summary>AllowEncodedSlashes as written; null when not.</summary>
    public EncodedSlashes? EncodedSlashes { get; set; }

    /// <summary>MergeSlashes as written; null when not.</summary>
    public bool? MergeSlashes { get; set; }

    /// <summary>Protocols (h2, http/1.1) as written here; null when not written.</summary>
    public List<string>? Protocols { get; set; }

    public string? RemoteIpHeader { get; set; }

    public string? RemoteIpProxiesHeader { get; set; }

    public List<IpNetwork> RemoteIpInternal { get; } = [];

    public List<IpNetwork> RemoteIpTrusted { get; } = [];

    public List<CustomLogConfig> CustomLogs { get; } = [];

    /// <summary>WSGIDaemonProcess groups declared in this vhost, checked against ServerName once it is known.</summary>
    public List<string> DeclaredGroups { get; } = [];

    /// <param name="main">The main server, for what a virtual host inherits from it; null when building the main server.</param>
    public ServerScope Build(ScopeBuilder? main = null) => new()
    {
        Location = Location,
        IsVirtualHost = IsVirtualHost,
        Addresses = Addresses,
        ServerName = ServerName,
        ServerNamePort = ServerNamePort,
        ServerNameScheme = ServerNameScheme,
        ServerAliases = [.. ServerAliases],
        // The main server always has one in Apache: the compiled-in default when no line sets it.
        DocumentRoot = DocumentRoot ?? (IsVirtualHost ? null : ServerScope.DefaultDocumentRoot),
        Aliases = [.. Aliases],
        Redirects = [.. Redirects],
        RewriteRules = RewriteEngine != true ? []
            : RewriteInherit == RewriteInheritance.After && main?.RewriteEngine == true ? [.. RewriteRules, .. main.RewriteRules]
            : RewriteInherit == RewriteInheritance.Before && main?.RewriteEngine == true ? [.. main.RewriteRules, .. RewriteRules]
            : [.. RewriteRules],
        ScriptAliases = [.. ScriptAliases],
        Defaults = Defaults.Value,
        Sections = [.. Sections],
        Tls = SslEngine == true && CertificateFile != null
            ? new TlsConfig(CertificateFile, KeyFile, ChainFile, SslEngineNode!.Location, SslProtocols ?? main?.SslProtocols,
                TlsCipherLists.Combine(CipherSuites12 ?? main?.CipherSuites12, CipherSuites13 ?? main?.CipherSuites13), StrictSni ?? main?.StrictSni ?? false,
                ClientCertificates(main))
            : null,
        ErrorLog = ErrorLog,
        LogLevel = LogLevel,
        ModuleLogLevels = ModuleLogLevels.Count > 0 ? new Dictionary<string, WsgiHost.Python.Runtime.ErrorLogLevel>(ModuleLogLevels, StringComparer.OrdinalIgnoreCase) : null,
        ProxyProtocol = ProxyProtocol,
        TraceEnable = TraceEnable,
        UseCanonicalName = UseCanonicalName,
        EncodedSlashes = EncodedSlashes,
        MergeSlashes = MergeSlashes,
        Protocols = Protocols ?? main?.Protocols,
        RemoteIp = RemoteIpHeader == null && RemoteIpProxiesHeader == null && RemoteIpInternal.Count == 0 && RemoteIpTrusted.Count == 0
            ? null
            : new RemoteIpConfig(RemoteIpHeader, [.. RemoteIpInternal], [.. RemoteIpTrusted], RemoteIpProxiesHeader),
        CustomLogs = [.. CustomLogs],
    };
}
