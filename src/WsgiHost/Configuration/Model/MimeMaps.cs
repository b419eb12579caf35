using System.Collections.Frozen;

namespace WsgiHost.Configuration.Model;

/// <summary>
/// mod_mime's tables by file extension for one scope (AddType, AddCharset, AddLanguage, AddEncoding and their
/// Remove* lines) and its DefaultLanguage. Keys are lower-case extensions without the dot. A null
/// value is a Remove* line: no type, charset or language comes from that extension in scope, not
/// even /etc/mime.types' type (Apache 2.4's RemoveType, which Debian's mime.conf relies on for
/// <c>.es</c> and <c>.tr</c>: languages there, ECMAScript and troff in mime.types). A scope's
/// entries replace those of the same extension it inherits, in the order written.
/// </summary>
internal sealed record MimeMaps
{
    public static readonly MimeMaps Empty = new();

    /// <summary>AddType (RemoveType: null): media types, before /etc/mime.types.</summary>
    public IReadOnlyDictionary<string, string?> Types { get; init; } = FrozenDictionary<string, string?>.Empty;

    /// <summary>AddCharset (RemoveCharset: null): the charset parameter a file's Content-Type gets.</summary>
    public IReadOnlyDictionary<string, string?> Charsets { get; init; } = FrozenDictionary<string, string?>.Empty;

    /// <summary>AddLanguage (RemoveLanguage: null): the file's Content-Language.</summary>
    public IReadOnlyDictionary<string, string?> Languages { get; init; } = FrozenDictionary<string, string?>.Empty;

    /// <summary>AddEncoding (RemoveEncoding: null): the file's Content-Encoding (a .svgz is gzip-encoded SVG).</summary>
    public IReadOnlyDictionary<string, string?> Encodings { get; init; } = FrozenDictionary<string, string?>.Empty;

    /// <summary>DefaultLanguage: the Content-Language of a file none of whose extensions names one; null inherits.</summary>
    public string? DefaultLanguage { get; init; }

    public bool IsEmpty => Types.Count == 0 && Charsets.Count == 0 && Languages.Count == 0 && Encodings.Count == 0 && DefaultLanguage == null;

    /// <summary>These tables with <paramref name="over"/>'s entries replacing the same extensions.</summary>
    public MimeMaps Merge(MimeMaps over) =>
        over.IsEmpty ? this
        : IsEmpty ? over
        : new MimeMaps
        {
            Types = PerDirSettings.Overlay(Types, over.Types),
            Charsets = PerDirSettings.Overlay(Charsets, over.Charsets),
            Languages = PerDirSettings.Overlay(Languages, over.Languages),
            Encodings = PerDirSettings.Overlay(Encodings, over.Encodings),
            DefaultLanguage = over.DefaultLanguage ?? DefaultLanguage,
        };

    /// <summary>A copy with <paramref name="value"/> (null: removed) for each of <paramref name="extensions"/> in one table.</summary>
    public MimeMaps With(MimeTable table, IEnumerable<string> extensions, string? value)
    {
        var entries = new Dictionary<string, string?>(table switch
        {
            MimeTable.Types => Types,
            MimeTable.Charsets => Charsets,
            MimeTable.Encodings => Encodings,
            _ => Languages,
        });
        foreach (string extension in extensions)
        {
            entries[Key(extension)] = value;
        }
        return table switch
        {
            MimeTable.Types => this with { Types = entries },
            MimeTable.Charsets => this with { Charsets = entries },
            MimeTable.Encodings => this with { Encodings = entries },
            _ => this with { Languages = entries },
        };
    }

    /// <summary>mod_mime's key for an extension: the leading dot dropped, lower case.</summary>
    public static string Key(string extension) => extension.TrimStart('.').ToLowerInvariant();
}

/// <summary>One of mod_mime's tables by extension.</summary>
internal enum MimeTable
{
    Types,
    Charsets,
    Languages,
    Encodings,
}
