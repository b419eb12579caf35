using System.Text;

namespace WsgiHost.Metadata;

/// <summary>
/// mod_xsendfile's reading of an X-Sendfile header: the file name it carries (URL-decoded
/// unless XSendFileUnescape Off) and the file it may mean, inside one of the allowed folders.
/// </summary>
internal static class XSendFileTarget
{
    public const string Header = "X-Sendfile";
    public const string TemporaryHeader = "X-Sendfile-Temporary";

    /// <summary>
    /// The file a response names for mod_xsendfile to send: a 200 with a non-empty X-Sendfile,
    /// else X-Sendfile-Temporary (X-Sendfile wins when both are there, as in mod_xsendfile); null otherwise.
    /// </summary>
    public static (string Value, bool Temporary)? Named(int status, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        if (status != 200)
        {
            return null;
        }
        string? temporary = null;
        for (int i = 0; i < headers.Count; i++)
        {
            var (name, value) = headers[i];
            if (value.Length == 0)
            {
                continue;
            }
            if (name.Equals(Header, StringComparison.OrdinalIgnoreCase))
            {
                return (value, false);
            }
            if (temporary == null && name.Equals(TemporaryHeader, StringComparison.OrdinalIgnoreCase))
            {
                temporary = value;
            }
        }
        return temporary != null ? (temporary, true) : null;
    }

    /// <summary>
    /// The file name in an X-Sendfile value, or null when it cannot be one: a "%" without two
    /// hex digits after it, an encoded "/" or NUL (Apache's ap_unescape_url refuses those, and
    /// mod_xsendfile answers 500), a NUL in the plain value, or bytes that are not UTF-8.
    /// </summary>
    /// <param name="value">The header's value as WSGI carries it: one char a byte (latin-1).</param>
    public static string? Decode(string value, bool unescape)
    {
        var bytes = new byte[value.Length];
        int n = 0;
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c > 0xFF || c == '\0')
            {
                return null;
            }
            if (c == '%' && unescape)
            {
                if (i + 2 >= value.Length || !char.IsAsciiHexDigit(value[i + 1]) || !char.IsAsciiHexDigit(value[i + 2]))
                {
                    return null;
                }
                byte decoded = (byte)(Convert.FromHexString(value.AsSpan(i + 1, 2))[0]);
                if (decoded is (byte)'/' or 0)
                {
                    return null;
                }
                bytes[n++] = decoded;
                i += 2;
                continue;
            }
            bytes[n++] = (byte)c;
        }
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 0, n);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>
    /// The first of <paramref name="roots"/> that holds <paramref name="file"/>, as Apache's
    /// apr_filepath_merge with NOTABOVEROOT decides it: a relative name is taken inside the
    /// root, an absolute one must already lie inside it, and ".." may not climb out of it.
    /// Only names are compared (symbolic links are followed when the file is opened, as
    /// Apache's Options FollowSymLinks does); whether the file exists is not asked here.
    /// </summary>
    /// <returns>The full path, or null when no root holds it.</returns>
    public static string? Resolve(string file, IEnumerable<string> roots)
    {
        if (file.Length == 0 || file.Contains('\0'))
        {
            return null;
        }
        foreach (string root in roots)
        {
            string top = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
            string full = Path.GetFullPath(Path.IsPathRooted(file) ? file : Path.Join(top, file));
            string inside = top.EndsWith('/') ? top : top + "/";
            if (full.StartsWith(inside, StringComparison.Ordinal) && full.Length > inside.Length)
            {
                return full;
            }
        }
        return null;
    }
}
