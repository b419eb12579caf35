using System.Globalization;

namespace WsgiHost.Server;

/// <summary>
/// Apache's checks of the Host header beyond what Kestrel refuses (vhost.c's fix_hostname,
/// strict HttpProtocolOptions): a name with an empty label ("a..test", "a.test.."), a slash
/// or backslash in it, or a port outside 1-65535 is a 400. Such a Host reached the
/// application (SERVER_PORT 0 or 99999) and chose virtual hosts by a name no client would send.
/// </summary>
internal static class MalformedHost
{
    // The last Host a thread found good: a connection sends the same one on every request.
    [ThreadStatic]
    private static string? t_lastGood;

    /// <summary>Whether <paramref name="header"/> (a Host header, or the host of an absolute-form target) is malformed; "" is not (no Host).</summary>
    public static bool Check(string header)
    {
        if (header.Length == 0 || ReferenceEquals(header, t_lastGood) || header == t_lastGood)
        {
            return false;
        }
        (string name, string? port) = KestrelExchange.SplitPort(header);
        // An IPv6 literal: Kestrel checks what is inside the brackets.
        if (!name.StartsWith('[') && (name.Contains("..", StringComparison.Ordinal) || name.Contains('/') || name.Contains('\\')))
        {
            return true;
        }
        // An empty port ("example.com:") is allowed (RFC 9110 4.2.3's "port = *DIGIT").
        if (port is { Length: > 0 } && !(int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int number) && number is >= 1 and <= 65535))
        {
            return true;
        }
        t_lastGood = header;
        return false;
    }
}
