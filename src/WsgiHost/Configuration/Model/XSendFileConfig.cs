namespace WsgiHost.Configuration.Model;

/// <summary>
/// mod_xsendfile's settings for a scope: <c>XSendFile</c>, <c>XSendFilePath</c>,
/// <c>XSendFileUnescape</c>, <c>XSendFileIgnoreEtag</c>, <c>XSendFileIgnoreLastModified</c>.
/// Unset flags inherit; a scope's paths come before those it inherits, as mod_xsendfile merges them.
/// </summary>
internal sealed record XSendFileConfig
{
    public static readonly XSendFileConfig Empty = new();

    /// <summary>XSendFile; null inherits (off).</summary>
    public bool? Enabled { get; init; }

    /// <summary>Where the XSendFile line that set <see cref="Enabled"/> is.</summary>
    public Syntax.SourceLocation? EnabledAt { get; init; }

    /// <summary>XSendFileUnescape; null inherits (on: the header's value is URL-decoded).</summary>
    public bool? Unescape { get; init; }

    /// <summary>XSendFileIgnoreEtag; null inherits (off: an ETag the app sent is kept).</summary>
    public bool? IgnoreETag { get; init; }

    /// <summary>XSendFileIgnoreLastModified; null inherits (off: a Last-Modified the app sent is kept).</summary>
    public bool? IgnoreLastModified { get; init; }

    /// <summary>XSendFilePath lines: the folders whose files the app may name, besides its script's own folder.</summary>
    public IReadOnlyList<XSendFilePath> Paths { get; init; } = [];

    public bool IsOn => Enabled == true;

    public XSendFileConfig Merge(XSendFileConfig over) =>
        ReferenceEquals(over, Empty) ? this
        : ReferenceEquals(this, Empty) ? over
        : new XSendFileConfig
        {
            Enabled = over.Enabled ?? Enabled,
            EnabledAt = over.Enabled != null ? over.EnabledAt : EnabledAt,
            Unescape = over.Unescape ?? Unescape,
            IgnoreETag = over.IgnoreETag ?? IgnoreETag,
            IgnoreLastModified = over.IgnoreLastModified ?? IgnoreLastModified,
            Paths = over.Paths.Count == 0 ? Paths : [.. over.Paths, .. Paths],
        };
}

/// <summary>One XSendFilePath line: an absolute folder, and whether X-Sendfile-Temporary may delete files sent from it (AllowFileDelete).</summary>
internal readonly record struct XSendFilePath(string Path, bool AllowFileDelete);
