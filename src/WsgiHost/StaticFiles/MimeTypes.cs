using System.Text;
using WsgiHost.Configuration.Model;

namespace WsgiHost.StaticFiles;

/// <summary>
/// The extension-to-media-type table Apache's mod_mime reads from its TypesConfig file
/// (Debian's <c>/etc/mime.types</c>, package media-types): one media type per line followed by
/// zero or more extensions. Later lines win for an extension that is listed twice, as in mod_mime.
/// No DefaultType: an unknown extension has no type, and the response then has no Content-Type.
/// </summary>
internal sealed class MimeTypes
{
    private static readonly Lazy<MimeTypes> s_default = new(() => Load());

    private readonly Dictionary<string, string> _byExtension;

    private MimeTypes(Dictionary<string, string> byExtension) => _byExtension = byExtension;

    /// <summary>The system table, read on first use. Empty when /etc/mime.types is missing.</summary>
    public static MimeTypes Default => s_default.Value;

    /// <summary>How many extensions have a type; 0 tells the caller the table did not load.</summary>
    public int Count => _byExtension.Count;

    /// <summary>
    /// Reads a TypesConfig file. A missing or unreadable file gives an empty table rather than an
    /// exception: static files are then served without Content-Type, and the caller logs why.
    /// </summary>
    public static MimeTypes Load(string path = "/etc/mime.types")
    {
        try
        {
            // The file is ASCII in practice; latin-1 never fails on stray bytes.
            using var reader = new StreamReader(path, Encoding.Latin1);
            return Parse(reader);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new MimeTypes(new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase));
        }
    }

    public static MimeTypes Parse(TextReader reader)
    {
        var byExtension = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? line;
        while ((line = reader.ReadLine()) != null)
        {
            string[] words = line.Split([' ', '\t', '\r', '\f', '\v'], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < 2 || words[0].StartsWith('#'))
            {
                continue;
            }
            for (int i = 1; i < words.Length; i++)
            {
                // A trailing comment after the extensions is not part of the format, but
                // hand-edited files have them; stop there rather than map "#" as an extension.
                if (words[i].StartsWith('#'))
                {
                    break;
                }
                byExtension[words[i].TrimStart('.')] = words[0];
            }
        }
        return new MimeTypes(byExtension);
    }

    /// <summary>
    /// The media type of a file name, or null. Like mod_mime, every extension after the first
    /// dot is looked at and the rightmost one with a type wins, so <c>report.css.bak</c> is
    /// text/css and <c>page.html.en</c> is text/html. Case-insensitive.
    /// </summary>
    public string? Lookup(string fileName) => Lookup(fileName, null);

    /// <summary>
    /// The media type of a file in a scope: its ForceType, else by extension with the scope's
    /// AddType lines before this table for the extensions they name (mod_mime's order), and
    /// none from an extension a RemoveType names.
    /// </summary>
    public string? TypeOf(string fileName, PerDirSettings settings) =>
        settings.ForceType is { Length: > 0 } forced ? forced : Lookup(fileName, settings.Mime.Types.Count > 0 ? settings.Mime.Types : null);

    /// <summary>
    /// The Content-Type and Content-Language of a file in a scope, as mod_mime gives them:
    /// <see cref="TypeOf"/> with the charset of the rightmost extension that has one (AddCharset)
    /// in place of, or after, the type's own charset parameter (not for a ForceType, which core
    /// applies after mod_mime); the languages of its extensions (AddLanguage) in order, comma
    /// separated, else the scope's DefaultLanguage; the encodings of its extensions (AddEncoding) in
    /// order, as its Content-Encoding.
    /// </summary>
    public (string? Type, string? Language, string? Encoding) MediaOf(string fileName, PerDirSettings settings)
    {
        string? type = TypeOf(fileName, settings);
        MimeMaps mime = settings.Mime;
        if (mime.Charsets.Count == 0 && mime.Languages.Count == 0 && mime.Encodings.Count == 0)
        {
            return (type, mime.DefaultLanguage, null);
        }
        string? charset = null;
        List<string>? languages = null;
        List<string>? encodings = null;
        foreach (string extension in Extensions(fileName))
        {
            if (mime.Encodings.TryGetValue(extension, out string? e) && e != null)
            {
                (encodings ??= []).Add(e);
            }
            if (mime.Charsets.TryGetValue(extension, out string? c) && c != null)
            {
                charset = c;
            }
            if (mime.Languages.TryGetValue(extension, out string? l) && l != null)
            {
                (languages ??= []).Add(l);
            }
        }
        if (charset != null && type != null && settings.ForceType is not { Length: > 0 })
        {
            type = WithCharset(type, charset);
        }
        return (type, languages != null ? string.Join(',', languages) : mime.DefaultLanguage, encodings != null ? string.Join(", ", encodings) : null);
    }

    /// <summary><paramref name="type"/> with its charset parameter set to <paramref name="charset"/>: the first one replaced, else one added.</summary>
    public static string WithCharset(string type, string charset)
    {
        string[] parts = type.Split(';');
        for (int i = 1; i < parts.Length; i++)
        {
            int equals = parts[i].IndexOf('=');
            if (equals > 0 && parts[i].AsSpan(0, equals).Trim().Equals("charset", StringComparison.OrdinalIgnoreCase))
            {
                parts[i] = " charset=" + charset;
                return string.Join(';', parts);
            }
        }
        return type + "; charset=" + charset;
    }

    /// <summary>The lower-case extensions of a file name, left to right: every part after the first dot but empty ones (mod_mime's).</summary>
    private static IEnumerable<string> Extensions(string fileName)
    {
        string name = fileName[(fileName.LastIndexOf('/') + 1)..];
        int dot = name.IndexOf('.');
        return dot < 0 ? [] : name[(dot + 1)..].Split('.', StringSplitOptions.RemoveEmptyEntries).Select(e => e.ToLowerInvariant());
    }

    private string? Lookup(string fileName, IReadOnlyDictionary<string, string?>? added)
    {
        ReadOnlySpan<char> name = fileName.AsSpan();
        int slash = name.LastIndexOf('/');
        if (slash >= 0)
        {
            name = name[(slash + 1)..];
        }
        int dot = name.IndexOf('.');
        if (dot < 0)
        {
            return null;
        }
        string? type = null;
        var lookup = _byExtension.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (Range part in name[(dot + 1)..].Split('.'))
        {
            ReadOnlySpan<char> extension = name[(dot + 1)..][part];
            if (extension.Length == 0)
            {
                continue;
            }
            if (added != null && added.TryGetValue(extension.ToString().ToLowerInvariant(), out string? own))
            {
                // RemoveType (null) leaves the extension without a type, mime.types' too.
                type = own ?? type;
            }
            else if (lookup.TryGetValue(extension, out string? found))
            {
                type = found;
            }
        }
        return type;
    }
}
