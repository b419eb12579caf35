using System.Text;

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
    /// AddType lines before this table for the extensions they name (mod_mime's order).
    /// </summary>
    public string? TypeOf(string fileName, Configuration.Model.PerDirSettings settings) =>
        settings.ForceType is { Length: > 0 } forced ? forced : Lookup(fileName, settings.AddType.Count > 0 ? settings.AddType : null);

    private string? Lookup(string fileName, IReadOnlyDictionary<string, string>? added)
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
                type = own;
            }
            else if (lookup.TryGetValue(extension, out string? found))
            {
                type = found;
            }
        }
        return type;
    }
}
