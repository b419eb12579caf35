namespace WsgiHost.Logging;

/// <summary>
/// The method, target and protocol read back out of a request line ("GET /a?b HTTP/1.1"), for
/// entries whose caller did not fill them in separately. Slices only; nothing is allocated.
/// </summary>
internal static class RequestLineParts
{
    public static ReadOnlySpan<char> Method(string? line)
    {
        ReadOnlySpan<char> s = line;
        int space = s.IndexOf(' ');
        return space < 0 ? s : s[..space];
    }

    /// <summary>The last word, when there are three (an HTTP/0.9 line has no protocol).</summary>
    public static ReadOnlySpan<char> Protocol(string? line)
    {
        ReadOnlySpan<char> s = line;
        int first = s.IndexOf(' ');
        int last = s.LastIndexOf(' ');
        return first < 0 || first == last ? default : s[(last + 1)..];
    }

    public static ReadOnlySpan<char> Target(string? line)
    {
        ReadOnlySpan<char> s = line;
        int first = s.IndexOf(' ');
        if (first < 0)
        {
            return default;
        }
        int last = s.LastIndexOf(' ');
        return first == last ? s[(first + 1)..] : s[(first + 1)..last];
    }

    public static ReadOnlySpan<char> Path(string? line)
    {
        ReadOnlySpan<char> target = Target(line);
        int question = target.IndexOf('?');
        return question < 0 ? target : target[..question];
    }

    /// <summary>The query after '?', if the target has one (it may be empty: "/a?").</summary>
    public static bool Query(string? line, out ReadOnlySpan<char> query)
    {
        ReadOnlySpan<char> target = Target(line);
        int question = target.IndexOf('?');
        query = question < 0 ? default : target[(question + 1)..];
        return question >= 0;
    }
}
