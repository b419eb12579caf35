using System.Text;
using WsgiHost.Configuration.Model;

namespace WsgiHost.Routing;

/// <summary>
/// The request-target as Apache prepares it for mapping: the path percent-decoded to bytes
/// (shown as a latin-1 string, which is what WSGI's native strings are), "//" merged, "."
/// and ".." resolved. The raw query string and raw target are kept for QUERY_STRING and
/// REQUEST_URI.
/// </summary>
internal readonly record struct RequestTarget(string Path, string RawPath, string RawQuery, int ErrorStatus, string? Error)
{
    public bool IsValid => ErrorStatus == 0;

    /// <param name="slashes">AllowEncodedSlashes.</param>
    /// <param name="mergeSlashes">MergeSlashes: "//" read as "/" (Apache's default); false keeps them.</param>
    public static RequestTarget Parse(string rawTarget, EncodedSlashes slashes = EncodedSlashes.Off, bool mergeSlashes = true)
    {
        string target = rawTarget;
        if (!target.StartsWith('/'))
        {
            // absolute-form (a proxy-style request line): keep only its path and query.
            int scheme = target.IndexOf("://", StringComparison.Ordinal);
            if (scheme <= 0)
            {
                return Invalid(400, $"invalid request target '{rawTarget}'");
            }
            int slash = target.IndexOf('/', scheme + 3);
            int question = target.IndexOf('?', scheme + 3);
            target = slash >= 0 && (question < 0 || slash < question) ? target[slash..]
                : question >= 0 ? "/" + target[question..] : "/";
        }
        int q = target.IndexOf('?');
        string rawPath = q >= 0 ? target[..q] : target;
        string rawQuery = q >= 0 ? target[(q + 1)..] : "";
        int fragment = rawQuery.IndexOf('#');
        if (fragment >= 0)
        {
            rawQuery = rawQuery[..fragment];
        }

        if (!TryDecode(rawPath, slashes, out string decoded, out int status, out string? error))
        {
            return new RequestTarget("", rawPath, rawQuery, status, error);
        }
        if (!TryNormalize(decoded, mergeSlashes, out string normalized))
        {
            return new RequestTarget("", rawPath, rawQuery, 400, $"invalid URI path '{rawPath}' (it climbs above the root)");
        }
        return new RequestTarget(normalized, rawPath, rawQuery, 0, null);

        static RequestTarget Invalid(int status, string error) => new("", "", "", status, error);
    }

    /// <summary>
    /// Percent-decodes to bytes. As Apache: a malformed escape is 400; an encoded NUL is 404;
    /// an encoded "/" is 404 with AllowEncodedSlashes Off (so "%2F" cannot smuggle a path
    /// separator), decoded with On, and kept as written with NoDecode.
    /// </summary>
    internal static bool TryDecode(string raw, EncodedSlashes slashes, out string decoded, out int status, out string? error)
    {
        if (raw.IndexOf('%') < 0)
        {
            decoded = raw;
            status = 0;
            error = null;
            return true;
        }
        var bytes = new byte[raw.Length];
        int n = 0;
        for (int i = 0; i < raw.Length; i++)
        {
            char c = raw[i];
            if (c != '%')
            {
                bytes[n++] = (byte)c;
                continue;
            }
            if (i + 2 >= raw.Length || !char.IsAsciiHexDigit(raw[i + 1]) || !char.IsAsciiHexDigit(raw[i + 2]))
            {
                decoded = "";
                status = 400;
                error = $"invalid percent-encoding in '{raw}'";
                return false;
            }
            byte b = (byte)((HexValue(raw[i + 1]) << 4) | HexValue(raw[i + 2]));
            if (b == 0 || (b == (byte)'/' && slashes == EncodedSlashes.Off))
            {
                decoded = "";
                status = 404;
                error = b == 0 ? $"encoded NUL in '{raw}' is refused"
                    : $"AH00026: found %2f (encoded '/') in URI path ({raw}), returning 404 (AllowEncodedSlashes On or NoDecode allows it)";
                return false;
            }
            if (b == (byte)'/' && slashes == EncodedSlashes.NoDecode)
            {
                bytes[n++] = (byte)'%';
                bytes[n++] = (byte)raw[i + 1];
                bytes[n++] = (byte)raw[i + 2];
                i += 2;
                continue;
            }
            bytes[n++] = b;
            i += 2;
        }
        decoded = Encoding.Latin1.GetString(bytes, 0, n);
        status = 0;
        error = null;
        return true;
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    /// <summary>Merges "//" (unless <paramref name="mergeSlashes"/> is false) and resolves "." and ".." segments; false when ".." climbs above "/".</summary>
    internal static bool TryNormalize(string path, bool mergeSlashes, out string normalized)
    {
        if ((!mergeSlashes || !path.Contains("//", StringComparison.Ordinal)) && !path.Contains("/.", StringComparison.Ordinal))
        {
            normalized = path;
            return true;
        }
        var segments = new List<string>();
        string[] parts = path.Split('/');
        for (int i = 1; i < parts.Length; i++)
        {
            string part = parts[i];
            bool last = i == parts.Length - 1;
            if (part.Length == 0 && !last && mergeSlashes)
            {
                continue;
            }
            if (part == ".")
            {
                if (last)
                {
                    segments.Add("");
                }
                continue;
            }
            if (part == "..")
            {
                if (segments.Count == 0)
                {
                    normalized = "";
                    return false;
                }
                segments.RemoveAt(segments.Count - 1);
                if (last)
                {
                    segments.Add("");
                }
                continue;
            }
            segments.Add(part);
        }
        normalized = "/" + string.Join('/', segments);
        return true;
    }
}
