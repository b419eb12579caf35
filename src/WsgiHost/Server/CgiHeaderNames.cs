using System.Collections.Concurrent;

namespace WsgiHost.Server;

/// <summary>
/// Request header name to environ key (User-Agent to HTTP_USER_AGENT), cached because the
/// same few names arrive on every request. Names with anything but letters, digits and "-"
/// get no key at all: "X_Forwarded_For" must not be able to pose as "X-Forwarded-For".
/// </summary>
internal static class CgiHeaderNames
{
    private const int CacheLimit = 2048;
    private static readonly ConcurrentDictionary<string, string?> s_cache = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The environ key, or null when the header must not be passed.</summary>
    public static string? KeyFor(string headerName)
    {
        if (s_cache.TryGetValue(headerName, out string? key))
        {
            return key;
        }
        key = Compute(headerName);
        // Bounded, so a client sending random header names cannot grow it without limit.
        if (s_cache.Count < CacheLimit)
        {
            s_cache.TryAdd(headerName, key);
        }
        return key;
    }

    internal static string? Compute(string name)
    {
        if (name.Length == 0)
        {
            return null;
        }
        var chars = new char[name.Length + 5];
        "HTTP_".CopyTo(chars);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsAsciiLetterOrDigit(c))
            {
                chars[i + 5] = char.ToUpperInvariant(c);
            }
            else if (c == '-')
            {
                chars[i + 5] = '_';
            }
            else
            {
                return null;
            }
        }
        return new string(chars);
    }
}
