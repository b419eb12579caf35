namespace WsgiHost.Configuration.Model;

/// <summary>
/// The directives that may appear at server, virtual host and section level and merge per
/// request the way Apache merges per-directory configuration: a later (more specific) scope's
/// value replaces an earlier one; unset (null) inherits. SetEnv accumulates by name.
/// </summary>
internal sealed record PerDirSettings
{
    public static readonly PerDirSettings Empty = new();

    /// <summary>WSGIProcessGroup as written (labels expand per request); null = %{GLOBAL}, embedded.</summary>
    public string? ProcessGroup { get; init; }

    /// <summary>WSGIApplicationGroup as written; null = %{RESOURCE}, as in Apache.</summary>
    public string? ApplicationGroup { get; init; }

    /// <summary>WSGICallableObject; null = "application".</summary>
    public string? CallableObject { get; init; }

    public bool? PassAuthorization { get; init; }

    public bool? ChunkedRequest { get; init; }

    /// <summary>WSGIErrorOverride: a daemon app's error status is answered with the site's error page (ErrorDocument) instead of the app's body.</summary>
    public bool? ErrorOverride { get; init; }

    /// <summary>AcceptPathInfo: false (Off) makes a request with path info after its script 404, as mod_wsgi honours it; null or true (Default, On) accepts it.</summary>
    public bool? AcceptPathInfo { get; init; }

    public MapHeadToGet? MapHeadToGet { get; init; }

    public bool? ScriptReloading { get; init; }

    /// <summary>LimitRequestBody in bytes; 0 = unlimited.</summary>
    public long? LimitRequestBody { get; init; }

    /// <summary>WSGIRestrictProcess: the process groups requests in scope may use ("" = embedded).</summary>
    public IReadOnlyList<string>? RestrictProcess { get; init; }

    /// <summary>SSLRequireSSL: 403 unless the request came over TLS.</summary>
    public bool? SslRequireSsl { get; init; }

    /// <summary>SetHandler: a built-in handler serving the URLs of the section (server-status, wsgihost-health, wsgihost-metrics); "none" undoes it.</summary>
    public string? Handler { get; init; }

    /// <summary>SSLOptions +StdEnvVars: the SSL_* variables in the environ of TLS requests.</summary>
    public bool? SslStdEnvVars { get; init; }

    /// <summary>SSLOptions +ExportCertData: SSL_SERVER_CERT and SSL_CLIENT_CERT (PEM) with the SSL_* variables.</summary>
    public bool? SslExportCertData { get; init; }

    /// <summary>WSGITrustedProxyHeaders: header names (validated), in order; repeated directives append.</summary>
    public IReadOnlyList<string>? TrustedProxyHeaders { get; init; }

    /// <summary>WSGITrustedProxies: addresses or networks (validated); null trusts every peer.</summary>
    public IReadOnlyList<string>? TrustedProxies { get; init; }

    /// <summary>SetEnv/UnsetEnv in order; a null value removes the variable.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> SetEnv { get; init; } = [];

    /// <summary>SetEnvIf, SetEnvIfNoCase, BrowserMatch(NoCase) lines in order; lines accumulate across scopes.</summary>
    public IReadOnlyList<Metadata.SetEnvIfRule> SetEnvIf { get; init; } = [];

    /// <summary>Header lines in order; lines accumulate across scopes.</summary>
    public IReadOnlyList<Metadata.HeaderEdit> ResponseHeaderEdits { get; init; } = [];

    /// <summary>RequestHeader lines in order; lines accumulate across scopes.</summary>
    public IReadOnlyList<Metadata.HeaderEdit> RequestHeaderEdits { get; init; } = [];

    /// <summary>ErrorDocument by status; a scope's entries replace those of the same status it inherits.</summary>
    public IReadOnlyDictionary<int, ErrorDocumentConfig> ErrorDocuments { get; init; } = System.Collections.Frozen.FrozenDictionary<int, ErrorDocumentConfig>.Empty;

    /// <summary>mod_mime's AddType, AddCharset, AddLanguage (and Remove*), DefaultLanguage: for the files WsgiHost serves.</summary>
    public MimeMaps Mime { get; init; } = MimeMaps.Empty;

    /// <summary>AddDefaultCharset: the charset a text/plain or text/html response without one gets; "" (Off) undoes an inherited one; null inherits (Off).</summary>
    public string? DefaultCharset { get; init; }

    /// <summary>FileETag: the parts a served file's ETag is made of; null inherits (MTime Size).</summary>
    public FileETagRule? FileETag { get; init; }

    /// <summary>DirectoryIndex: the file names a folder URL is answered with, the first that exists; empty (disabled) for none; null inherits (index.html).</summary>
    public IReadOnlyList<string>? DirectoryIndex { get; init; }

    /// <summary>ForceType: every file in scope served as this type; "" (ForceType None) undoes an inherited one; null inherits.</summary>
    public string? ForceType { get; init; }

    /// <summary>ExpiresActive; null inherits (off).</summary>
    public bool? ExpiresActive { get; init; }

    /// <summary>ExpiresDefault; null inherits.</summary>
    public Metadata.ExpiresRule? ExpiresDefault { get; init; }

    /// <summary>ExpiresByType by lower-case media type (or type/*); a scope's entries replace those of the same type it inherits.</summary>
    public IReadOnlyDictionary<string, Metadata.ExpiresRule> ExpiresByType { get; init; } = System.Collections.Frozen.FrozenDictionary<string, Metadata.ExpiresRule>.Empty;

    /// <summary>AddOutputFilterByType DEFLATE / BROTLI_COMPRESS: the media types compressed, and how; a scope's lines accumulate, and a filter it names replaces the inherited one's types (mod_filter).</summary>
    public IReadOnlyList<OutputFilterRule> OutputFilterByType { get; init; } = [];

    /// <summary>AddOutputFilter DEFLATE / BROTLI_COMPRESS by file extension (mod_mime): lower case, without the dot; a later line or deeper scope naming an extension replaces its filters.</summary>
    public IReadOnlyList<OutputFilterRule> OutputFilterByExtension { get; init; } = [];

    /// <summary>SetOutputFilter: codings for every response in scope, whatever its type; null inherits.</summary>
    public ContentCodings? SetOutputFilter { get; init; }

    /// <summary>DeflateCompressionLevel, 1-9; null = zlib's default (6), as mod_deflate.</summary>
    public int? DeflateCompressionLevel { get; init; }

    /// <summary>BrotliCompressionQuality, 0-11; null = mod_brotli's default (5).</summary>
    public int? BrotliCompressionQuality { get; init; }

    /// <summary>DeflateFilterNote: the names of the notes a compressed response leaves for the access log (%{name}n); null = none.</summary>
    public CompressionNotes? CompressionNotes { get; init; }

    /// <summary>Variables or header edits apply to requests in scope, so each needs its <see cref="Metadata.RequestMetadata"/>.</summary>
    public bool HasMetadata => XSendFile.IsOn || SetEnv.Count > 0 || SetEnvIf.Count > 0 || EditsResponse || RequestHeaderEdits.Count > 0 || ErrorDocuments.Count > 0;

    /// <summary>mod_xsendfile's settings.</summary>
    public XSendFileConfig XSendFile { get; init; } = XSendFileConfig.Empty;

    /// <summary>Header lines, mod_expires or AddDefaultCharset apply to responses in scope.</summary>
    public bool EditsResponse => ResponseHeaderEdits.Count > 0 || ExpiresActive == true || DefaultCharset is { Length: > 0 };

    /// <summary>An output filter that compresses may apply to responses in scope.</summary>
    public bool CompressesOutput => OutputFilterByType.Count > 0 || OutputFilterByExtension.Count > 0 || SetOutputFilter is > ContentCodings.None;

    /// <summary>AllowOverride other than None: .htaccess files would apply here (<see cref="StaticFiles.AccessFiles"/>); null where none says (Apache 2.4's default None).</summary>
    public bool? AllowOverride { get; init; }

    /// <summary>Options FollowSymLinks: on or off as an Options line left it; null where none says (Apache's default: on).</summary>
    public bool? FollowSymLinks { get; init; }

    /// <summary>Options SymLinksIfOwnerMatch; null where no Options line says (off).</summary>
    public bool? SymLinksIfOwnerMatch { get; init; }

    /// <summary>Which symbolic links a file's path may go through (<see cref="StaticFiles.SymbolicLinks"/>).</summary>
    public StaticFiles.SymLinkRule SymLinks =>
        FollowSymLinks != false ? StaticFiles.SymLinkRule.Follow
        : SymLinksIfOwnerMatch == true ? StaticFiles.SymLinkRule.IfOwnerMatch
        : StaticFiles.SymLinkRule.Never;

    /// <summary>These settings with <paramref name="over"/>'s set values replacing them.</summary>
    public PerDirSettings Merge(PerDirSettings over)
    {
        if (ReferenceEquals(over, Empty))
        {
            return this;
        }
        if (ReferenceEquals(this, Empty))
        {
            return over;
        }
        return new PerDirSettings
        {
            ProcessGroup = over.ProcessGroup ?? ProcessGroup,
            ApplicationGroup = over.ApplicationGroup ?? ApplicationGroup,
            CallableObject = over.CallableObject ?? CallableObject,
            PassAuthorization = over.PassAuthorization ?? PassAuthorization,
            ChunkedRequest = over.ChunkedRequest ?? ChunkedRequest,
            ErrorOverride = over.ErrorOverride ?? ErrorOverride,
            AcceptPathInfo = over.AcceptPathInfo ?? AcceptPathInfo,
            MapHeadToGet = over.MapHeadToGet ?? MapHeadToGet,
            ScriptReloading = over.ScriptReloading ?? ScriptReloading,
            LimitRequestBody = over.LimitRequestBody ?? LimitRequestBody,
            RestrictProcess = over.RestrictProcess ?? RestrictProcess,
            SslRequireSsl = over.SslRequireSsl ?? SslRequireSsl,
            SslStdEnvVars = over.SslStdEnvVars ?? SslStdEnvVars,
            SslExportCertData = over.SslExportCertData ?? SslExportCertData,
            Handler = over.Handler ?? Handler,
            TrustedProxyHeaders = over.TrustedProxyHeaders ?? TrustedProxyHeaders,
            TrustedProxies = over.TrustedProxies ?? TrustedProxies,
            SetEnv = over.SetEnv.Count == 0 ? SetEnv : [.. SetEnv, .. over.SetEnv],
            Mime = Mime.Merge(over.Mime),
            DefaultCharset = over.DefaultCharset ?? DefaultCharset,
            ErrorDocuments = Overlay(ErrorDocuments, over.ErrorDocuments),
            ForceType = over.ForceType ?? ForceType,
            DirectoryIndex = over.DirectoryIndex ?? DirectoryIndex,
            FileETag = FileETagRule.Merge(FileETag, over.FileETag),
            ExpiresActive = over.ExpiresActive ?? ExpiresActive,
            ExpiresDefault = over.ExpiresDefault ?? ExpiresDefault,
            ExpiresByType = Overlay(ExpiresByType, over.ExpiresByType),
            SetEnvIf = over.SetEnvIf.Count == 0 ? SetEnvIf : [.. SetEnvIf, .. over.SetEnvIf],
            ResponseHeaderEdits = over.ResponseHeaderEdits.Count == 0 ? ResponseHeaderEdits : [.. ResponseHeaderEdits, .. over.ResponseHeaderEdits],
            RequestHeaderEdits = over.RequestHeaderEdits.Count == 0 ? RequestHeaderEdits : [.. RequestHeaderEdits, .. over.RequestHeaderEdits],
            OutputFilterByType = OutputFilterRule.OverlayByType(OutputFilterByType, over.OutputFilterByType),
            OutputFilterByExtension = OutputFilterRule.OverlayByExtension(OutputFilterByExtension, over.OutputFilterByExtension),
            SetOutputFilter = over.SetOutputFilter ?? SetOutputFilter,
            DeflateCompressionLevel = over.DeflateCompressionLevel ?? DeflateCompressionLevel,
            BrotliCompressionQuality = over.BrotliCompressionQuality ?? BrotliCompressionQuality,
            CompressionNotes = over.CompressionNotes ?? CompressionNotes,
            XSendFile = XSendFile.Merge(over.XSendFile),
            AllowOverride = over.AllowOverride ?? AllowOverride,
            FollowSymLinks = over.FollowSymLinks ?? FollowSymLinks,
            SymLinksIfOwnerMatch = over.SymLinksIfOwnerMatch ?? SymLinksIfOwnerMatch,
        };
    }

    /// <summary>A table of a scope over the one it inherits: its keys replace the same keys, the rest stay.</summary>
    internal static IReadOnlyDictionary<TKey, T> Overlay<TKey, T>(IReadOnlyDictionary<TKey, T> inherited, IReadOnlyDictionary<TKey, T> own)
        where TKey : notnull =>
        own.Count == 0 ? inherited
        : inherited.Count == 0 ? own
        : new Dictionary<TKey, T>(inherited.Concat(own).GroupBy(e => e.Key).Select(g => g.Last()));

    /// <summary>The environment SetEnv/UnsetEnv leave, later entries winning.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> EffectiveEnvironment() => Metadata.RequestVariables.Fold(SetEnv);
}

/// <summary>WSGIMapHEADToGET.</summary>
internal enum MapHeadToGet
{
    /// <summary>HEAD reaches the app as GET when an output filter that needs the body applies (DEFLATE, BROTLI_COMPRESS), else as HEAD.</summary>
    Auto,
    On,
    Off,
}
