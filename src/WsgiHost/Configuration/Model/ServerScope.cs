using WsgiHost.Configuration.Syntax;
using WsgiHost.Access;
using WsgiHost.Routing;

namespace WsgiHost.Configuration.Model;

/// <summary>
/// The main server or one &lt;VirtualHost&gt;: the names it answers to, its URL mapping, its
/// per-directory defaults and sections, its TLS and its logs.
/// </summary>
internal sealed record ServerScope
{
    public required SourceLocation Location { get; init; }

    /// <summary>True for a &lt;VirtualHost&gt;, false for the main server.</summary>
    public bool IsVirtualHost { get; init; }

    /// <summary>The &lt;VirtualHost addr:port ...&gt; addresses; empty for the main server.</summary>
    public IReadOnlyList<IPEndPointPattern> Addresses { get; init; } = [];

    /// <summary>ServerName without a port; null when not given.</summary>
    public string? ServerName { get; init; }

    /// <summary>The port written in ServerName (name:port), if any.</summary>
    public int? ServerNamePort { get; init; }

    /// <summary>
    /// The scheme written in ServerName (https://name), if any: REQUEST_SCHEME, as Apache's
    /// ap_http_scheme, for a server behind a proxy that terminates TLS.
    /// </summary>
    public string? ServerNameScheme { get; init; }

    public IReadOnlyList<string> ServerAliases { get; init; } = [];

    /// <summary>
    /// DocumentRoot: the main server's is <see cref="DefaultDocumentRoot"/> when no line sets it;
    /// a virtual host's is null when it sets none (it serves the main server's).
    /// </summary>
    public string? DocumentRoot { get; init; }

    /// <summary>
    /// Apache's compiled-in DocumentRoot as Debian and Ubuntu build it (upstream's is its
    /// prefix's htdocs): a site that never sets one serves files from here, and its apps see it
    /// as DOCUMENT_ROOT.
    /// </summary>
    public const string DefaultDocumentRoot = "/var/www/html";

    /// <summary>
    /// Files under <see cref="DocumentRoot"/> answer the URLs that no Alias or WSGIScriptAlias
    /// maps, as Apache's core handler serves them. False for the scope `serve` builds, whose
    /// DocumentRoot (the working directory) only names DOCUMENT_ROOT for the app.
    /// </summary>
    public bool ServesDocumentRoot { get; init; } = true;

    /// <summary>Alias and AliasMatch, in file order (tried before every script alias).</summary>
    public IReadOnlyList<AliasConfig> Aliases { get; init; } = [];

    /// <summary>This scope's RewriteRules when its RewriteEngine is On (a virtual host's own, with the main server's only after RewriteOptions Inherit); tried before everything.</summary>
    public IReadOnlyList<RewriteRuleConfig> RewriteRules { get; init; } = [];

    /// <summary>Redirect, RedirectMatch, RedirectPermanent, RedirectTemp, in file order; tried before every alias.</summary>
    public IReadOnlyList<RedirectConfig> Redirects { get; init; } = [];

    /// <summary>WSGIScriptAlias and WSGIScriptAliasMatch, in file order (first match wins).</summary>
    public IReadOnlyList<ScriptAliasConfig> ScriptAliases { get; init; } = [];

    /// <summary>Per-directory directives written directly in this scope.</summary>
    public PerDirSettings Defaults { get; init; } = PerDirSettings.Empty;

    /// <summary>&lt;Directory&gt;, &lt;Location&gt;, &lt;Files&gt; and their Match forms, in file order.</summary>
    public IReadOnlyList<Section<SectionPayload>> Sections { get; init; } = [];

    public TlsConfig? Tls { get; init; }

    /// <summary>UseCanonicalName On as written here; null: the main server's, else Off.</summary>
    public bool? UseCanonicalName { get; init; }

    /// <summary>TraceEnable as written here (on, off, extended); null: the main server's, else on.</summary>
    public string? TraceEnable { get; init; }

    /// <summary>AllowEncodedSlashes as written here; null: the main server's, else Off.</summary>
    public EncodedSlashes? EncodedSlashes { get; init; }

    /// <summary>MergeSlashes as written here; null: the main server's, else On ("//" in a path is "/").</summary>
    public bool? MergeSlashes { get; init; }

    /// <summary>RemoteIPProxyProtocol On: connections to its addresses start with a PROXY header.</summary>
    public bool ProxyProtocol { get; init; }

    /// <summary>Protocols: the ones the scope speaks (h2, http/1.1); a virtual host without the line has the main server's; null: both, h2 by ALPN on TLS.</summary>
    public IReadOnlyList<string>? Protocols { get; init; }

    /// <summary>HTTP/2 may be offered (by ALPN) on this scope's TLS connections.</summary>
    public bool SpeaksHttp2 => Protocols?.Contains("h2") ?? true;

    /// <summary>mod_remoteip's directives written in this scope; null when none are (a virtual host then has the main server's).</summary>
    public RemoteIpConfig? RemoteIp { get; init; }

    /// <summary>ErrorLog of this virtual host; null inherits the main server's.</summary>
    public string? ErrorLog { get; init; }

    /// <summary>LogLevel written in this virtual host (its messages only, as Apache's); null: the server's.</summary>
    public WsgiHost.Python.Runtime.ErrorLogLevel? LogLevel { get; init; }

    /// <summary>Per-module levels written in this virtual host, over the server's; null when none.</summary>
    public IReadOnlyDictionary<string, WsgiHost.Python.Runtime.ErrorLogLevel>? ModuleLogLevels { get; init; }

    public IReadOnlyList<CustomLogConfig> CustomLogs { get; init; } = [];

    /// <summary>How to name this scope in messages.</summary>
    public string Describe() => IsVirtualHost
        ? $"<VirtualHost {string.Join(' ', Addresses)}> ({ServerName ?? "no ServerName"}, {Location})"
        : "the main server";
}

/// <summary>SSLEngine on with its certificate files.</summary>
/// <param name="Protocols">SSLProtocol: the TLS versions served; null: the operating system's choice (TLS 1.2 and 1.3).</param>
/// <param name="CipherSuites">SSLCipherSuite's TLS 1.2 and TLS 1.3 suites together; null: OpenSSL's defaults (no SSLCipherSuite line).</param>
/// <param name="StrictSni">SSLStrictSNIVHostCheck on: a client that sends no SNI gets 403 for this name-based virtual host.</param>
/// <param name="ClientCertificates">SSLVerifyClient with SSLVerifyDepth and the CA certificates; null: none is asked for.</param>
internal sealed record TlsConfig(string CertificateFile, string? KeyFile, string? ChainFile, SourceLocation Location, System.Security.Authentication.SslProtocols? Protocols = null,
    IReadOnlyList<System.Net.Security.TlsCipherSuite>? CipherSuites = null, bool StrictSni = false, ClientCertificateConfig? ClientCertificates = null);

/// <summary>SSLVerifyClient (not none), SSLVerifyDepth, SSLCACertificateFile and SSLCACertificatePath of one TLS virtual host.</summary>
/// <param name="Depth">SSLVerifyDepth: how many CA certificates may stand between a client certificate and one the server trusts (mod_ssl's default 1: issued by a trusted CA itself).</param>
/// <param name="CaFile">SSLCACertificateFile: PEM CA certificates, one after another.</param>
/// <param name="CaPath">SSLCACertificatePath: a folder of PEM CA certificates.</param>
internal sealed record ClientCertificateConfig(ClientVerifyMode Mode, int Depth, string? CaFile, string? CaPath);

/// <summary>CustomLog FILE FORMAT-or-NICKNAME: <paramref name="Format"/> is the format itself once built (nicknames resolved).</summary>
/// <param name="Condition">CustomLog's env=[!]VAR: the line logs only the requests it holds for; null logs every request.</param>
internal sealed record CustomLogConfig(string Path, string Format, SourceLocation Location, Metadata.VariableCondition? Condition = null);
