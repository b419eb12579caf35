using System.Globalization;
using System.Text;

namespace WsgiHost.Logging;

/// <summary>
/// Access log lines in Apache's combined format:
/// %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i". Enqueued per request, written
/// by one background task.
/// </summary>
public sealed class AccessLog : IAsyncDisposable
{
    private readonly BackgroundWriter _output;

    public AccessLog(TextWriter writer) => _output = new BackgroundWriter(writer, ownsWriter: false);

    public void Write(in AccessLogEntry e)
    {
        var b = new StringBuilder(160);
        b.Append(e.RemoteHost).Append(" - ").Append(string.IsNullOrEmpty(e.User) ? "-" : e.User).Append(" [")
            .Append(e.Time.ToString("dd/MMM/yyyy:HH:mm:ss ", CultureInfo.InvariantCulture))
            .Append(e.Time.Offset < TimeSpan.Zero ? '-' : '+')
            .Append(e.Time.Offset.ToString("hhmm", CultureInfo.InvariantCulture))
            .Append("] \"").Append(Escape(e.RequestLine)).Append("\" ")
            .Append(e.Status.ToString(CultureInfo.InvariantCulture)).Append(' ')
            .Append(e.BodyBytes > 0 ? e.BodyBytes.ToString(CultureInfo.InvariantCulture) : "-")
            .Append(" \"").Append(Escape(e.Referer ?? "-")).Append("\" \"").Append(Escape(e.UserAgent ?? "-")).Append("\"\n");
        _output.Write(b.ToString());
    }

    /// <summary>Apache escapes quotes, backslashes and control characters in logged request data.</summary>
    internal static string Escape(string s)
    {
        bool clean = true;
        foreach (char c in s)
        {
            if (c is '"' or '\\' || c < 0x20 || c >= 0x7f)
            {
                clean = false;
                break;
            }
        }
        if (clean)
        {
            return s;
        }
        var b = new StringBuilder(s.Length + 8);
        foreach (char c in s)
        {
            if (c is '"' or '\\')
            {
                b.Append('\\').Append(c);
            }
            else if (c < 0x20 || c >= 0x7f)
            {
                b.Append("\\x").Append(((int)c & 0xff).ToString("x2", CultureInfo.InvariantCulture));
            }
            else
            {
                b.Append(c);
            }
        }
        return b.ToString();
    }

    public ValueTask DisposeAsync() => _output.DisposeAsync();
}

public readonly record struct AccessLogEntry(
    string RemoteHost,
    string? User,
    DateTimeOffset Time,
    string RequestLine,
    int Status,
    long BodyBytes,
    string? Referer,
    string? UserAgent);
