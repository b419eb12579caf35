using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace WsgiHost.Server;

/// <summary>
/// What a server process and its supervisor say over the channel the process inherits
/// (<see cref="ListenSocketClient"/> asks, <see cref="ListenSocketBroker"/> answers). A request is
/// a line "ADDRESS PORT"; the answer is "K" with the listening socket passed along (SCM_RIGHTS),
/// or "E CODE MESSAGE" with the <see cref="SocketError"/> the bind failed with, so the process
/// fails as it would have binding itself (Kestrel's fallback from [::] to 0.0.0.0 included).
/// A line "L PATH" names the process's ErrorLog and is not answered.
/// </summary>
internal static class ListenSocketChannel
{
    /// <summary>The environment variable naming the inherited channel's descriptor.</summary>
    public const string Variable = "WSGIHOST_LISTEN_CHANNEL";

    public const string Granted = "K\n";

    private const string ErrorLogPrefix = "L ";

    /// <summary>
    /// A line (answered with nothing) naming the main server's ErrorLog file of the configuration
    /// the process loaded, where the supervisor then writes its own lines (reloads, replaced
    /// processes), as Apache's parent writes to the ErrorLog its children write to.
    /// </summary>
    public static string ErrorLog(string path) => ErrorLogPrefix + path.ReplaceLineEndings("") + "\n";

    /// <summary>The ErrorLog a line (without its newline) names; null when it is not such a line.</summary>
    public static string? ParseErrorLog(string line) =>
        line.StartsWith(ErrorLogPrefix, StringComparison.Ordinal) && line.Length > ErrorLogPrefix.Length ? line[ErrorLogPrefix.Length..] : null;

    public static string Request(IPEndPoint endpoint) => string.Create(CultureInfo.InvariantCulture, $"{endpoint.Address} {endpoint.Port}\n");

    /// <summary>The endpoint a request line (without its newline) asks for; null when it is not one.</summary>
    public static IPEndPoint? ParseRequest(string line)
    {
        int space = line.LastIndexOf(' ');
        return space > 0
            && IPAddress.TryParse(line.AsSpan(0, space), out IPAddress? address)
            && int.TryParse(line.AsSpan(space + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port)
            && port <= IPEndPoint.MaxPort
            ? new IPEndPoint(address, port)
            : null;
    }

    public static string Refused(SocketError code, string message) =>
        string.Create(CultureInfo.InvariantCulture, $"E {(int)code} {message.ReplaceLineEndings(" ")}\n");

    /// <summary>The failure an answer line (without its newline) reports; null when it grants the socket.</summary>
    /// <exception cref="IOException">The line is neither answer.</exception>
    public static SocketException? ParseAnswer(string line)
    {
        if (line == Granted[..^1])
        {
            return null;
        }
        string[] parts = line.Split(' ', 3);
        return parts.Length == 3 && parts[0] == "E" && int.TryParse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int code)
            ? new SocketException(code, parts[2])
            : throw new IOException($"the supervisor's answer to a listening socket request is not one: '{line}'");
    }
}
