using System.Text;

namespace WsgiHost.Logging;

/// <summary>
/// An access log: one line per request in a <see cref="LogFormat"/> (Apache's combined
/// format unless told otherwise). Lines are formatted on the caller's thread and written by
/// one background task, so a request never waits for log I/O.
/// </summary>
internal sealed class AccessLog : IAsyncDisposable
{
    // One builder per thread, reused: formatting a line then allocates only the line itself.
    [ThreadStatic]
    private static StringBuilder? t_line;

    private readonly BackgroundWriter _output;
    private readonly LogFormat _format;

    public AccessLog(TextWriter writer)
        : this(writer, LogFormat.Combined)
    {
    }

    public AccessLog(TextWriter writer, LogFormat format)
    {
        ArgumentNullException.ThrowIfNull(format);
        _format = format;
        _output = new BackgroundWriter(writer, ownsWriter: false);
    }

    public void Write(in AccessLogEntry entry)
    {
        StringBuilder line = t_line ??= new StringBuilder(256);
        line.Clear();
        _format.Append(line, entry);
        _output.Write(line.Append('\n').ToString());
        if (line.Capacity > 16 * 1024)
        {
            // A freak line (a huge header) should not pin a large buffer to the thread.
            t_line = null;
        }
    }

    public ValueTask DisposeAsync() => _output.DisposeAsync();
}
