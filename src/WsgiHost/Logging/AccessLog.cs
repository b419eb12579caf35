using System.Globalization;
using System.Text;
using System.Threading.Channels;

namespace WsgiHost.Logging;

/// <summary>
/// Access log lines in Apache's combined format:
/// %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i". Enqueued per request, written
/// by one background task.
/// </summary>
public sealed class AccessLog : IAsyncDisposable
{
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TextWriter _writer;
    private readonly Task _pump;

    public AccessLog(TextWriter writer)
    {
        _writer = writer;
        _pump = Task.Run(PumpAsync);
    }

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
        _lines.Writer.TryWrite(b.ToString());
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

    private async Task PumpAsync()
    {
        var reader = _lines.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out string? text))
            {
                await _writer.WriteAsync(text).ConfigureAwait(false);
            }
            await _writer.FlushAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _lines.Writer.TryComplete();
        await _pump.ConfigureAwait(false);
    }
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
