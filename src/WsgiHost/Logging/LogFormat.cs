using System.Text;

namespace WsgiHost.Logging;

/// <summary>
/// An Apache mod_log_config format ("%h %l %u %t \"%r\" %>s %b"), compiled once into literal
/// runs and field writers so that writing a line does no parsing: each request only walks
/// the parts. See <see cref="LogFormatParser"/> for the grammar and <see cref="LogFields"/>
/// for what each directive logs.
/// </summary>
internal sealed class LogFormat
{
    private readonly string _text;
    private readonly LogFormatPart[] _parts;

    private LogFormat(string text, LogFormatPart[] parts)
    {
        _text = text;
        _parts = parts;
    }

    /// <summary>Apache's "common" format (CLF): <c>%h %l %u %t "%r" %&gt;s %b</c>.</summary>
    public static LogFormat Common { get; } = Parse("%h %l %u %t \"%r\" %>s %b");

    /// <summary>Apache's "combined" format: CLF plus the Referer and User-Agent headers.</summary>
    public static LogFormat Combined { get; } = Parse("%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\"");

    /// <summary>
    /// Compiles <paramref name="format"/>. Throws <see cref="FormatException"/> naming the bad
    /// directive and its position for an unknown directive, an unterminated {argument}, a
    /// missing or meaningless argument, or a bad status condition or time format.
    /// </summary>
    public static LogFormat Parse(string format)
    {
        ArgumentNullException.ThrowIfNull(format);
        return new LogFormat(format, LogFormatParser.Parse(format));
    }

    /// <summary>Appends the line for <paramref name="entry"/>, without a line break.</summary>
    public void Append(StringBuilder output, in AccessLogEntry entry)
    {
        foreach (ref readonly LogFormatPart part in _parts.AsSpan())
        {
            if (part.Literal != null)
            {
                output.Append(part.Literal);
            }
            else if (part.Applies(entry.Status))
            {
                part.Field!(output, entry);
            }
            else
            {
                output.Append('-');
            }
        }
    }

    /// <summary>The format string this was compiled from.</summary>
    public override string ToString() => _text;
}
