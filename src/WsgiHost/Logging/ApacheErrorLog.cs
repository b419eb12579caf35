using System.Globalization;
using System.Text;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Logging;

/// <summary>
/// The error log in Apache's shape, one entry per line:
/// "[Sun Nov 22 05:30:26.123456 2026] [wsgi:error] [pid 1234] message". Writers only
/// enqueue (callers may hold the GIL); one background task does the I/O.
/// </summary>
internal sealed class ApacheErrorLog : IErrorLog, IAsyncDisposable
{
    private readonly BackgroundWriter _output;
    private readonly int _pid = Environment.ProcessId;

    /// <param name="moduleLevels">LogLevel's per-module levels (`wsgi:debug`), by the module name entries carry.</param>
    public ApacheErrorLog(TextWriter writer, ErrorLogLevel minimum = ErrorLogLevel.Info, bool ownsWriter = false, IReadOnlyDictionary<string, ErrorLogLevel>? moduleLevels = null)
        : this(new BackgroundWriter(writer, ownsWriter), minimum, moduleLevels, ownsOutput: true)
    {
    }

    private ApacheErrorLog(BackgroundWriter output, ErrorLogLevel minimum, IReadOnlyDictionary<string, ErrorLogLevel>? moduleLevels, bool ownsOutput)
    {
        _output = output;
        _ownsOutput = ownsOutput;
        Minimum = minimum;
        _moduleLevels = moduleLevels is { Count: > 0 } ? moduleLevels : null;
    }

    /// <summary>False for a view made by <see cref="WithLevels"/>: the log it shares its output with closes it.</summary>
    private readonly bool _ownsOutput;

    /// <summary>
    /// The same log at other levels: a virtual host's own LogLevel over the file it shares with
    /// the server (or another host). Closing the view leaves the file to this log.
    /// </summary>
    public ApacheErrorLog WithLevels(ErrorLogLevel minimum, IReadOnlyDictionary<string, ErrorLogLevel>? moduleLevels) =>
        new(_output, minimum, moduleLevels, ownsOutput: false);

    private readonly IReadOnlyDictionary<string, ErrorLogLevel>? _moduleLevels;

    /// <summary>LogLevel: entries below it are dropped (unless their module has a level of its own), notices excepted.</summary>
    public ErrorLogLevel Minimum { get; }

    /// <summary>Opens an ErrorLog file for appending, creating its folder.</summary>
    public static ApacheErrorLog ToFile(string path, ErrorLogLevel minimum, IReadOnlyDictionary<string, ErrorLogLevel>? moduleLevels = null)
    {
        TextWriter target = PipedLog.IsPipe(path) ? PipedLog.Start(path) : LogFile.Append(path);
        return new ApacheErrorLog(target, minimum, ownsWriter: true, moduleLevels);
    }

    public void Flush() => _output.Flush(TimeSpan.FromSeconds(2));

    /// <summary>Lines already in the error log's shape (a daemon worker's), passed on as they are.</summary>
    public void WriteFormatted(string line) => _output.Write(line + "\n");

    public void Write(ErrorLogLevel level, string module, string message)
    {
        // Notice is written whatever the LogLevel, as Apache's log.c does ("unless it is a
        // startup/shutdown notice"): starts, reloads, log reopens and drains are always on
        // record. Nothing of a request is logged at notice.
        if (level != ErrorLogLevel.Notice && level < (_moduleLevels != null && _moduleLevels.TryGetValue(module, out ErrorLogLevel own) ? own : Minimum))
        {
            return;
        }
        string prefix = $"[{FormatTime(DateTime.Now)}] [{module}:{LevelName(level)}] [pid {_pid}] ";
        // A request's message names its client on every line, as Apache's request log lines
        // do: each line of a traceback is found by grep or fail2ban on the client's address.
        string client = message.StartsWith("[client ", StringComparison.Ordinal) && message.IndexOf("] ", StringComparison.Ordinal) is int end and > 0
            ? message[..(end + 2)]
            : "";
        var entry = new StringBuilder();
        bool first = true;
        foreach (string line in message.Split('\n'))
        {
            entry.Append(prefix);
            if (!first)
            {
                entry.Append(client);
            }
            // Control characters escaped as in the access log (an app logging what it was given
            // could otherwise drive the terminal of whoever tails the log, or forge a line);
            // other text stays readable.
            LogItemEscaper.AppendControls(entry, line.AsSpan().TrimEnd('\r'));
            entry.Append('\n');
            first = false;
        }
        _output.Write(entry.ToString());
    }

    /// <summary>
    /// Takes a line of this shape apart again (a daemon worker's line, for a log that is not
    /// an Apache error log): "[time] [module:level] message", the "[pid N]" kept in the message.
    /// </summary>
    internal static bool TryParseLine(string line, out ErrorLogLevel level, out string module, out string message)
    {
        level = ErrorLogLevel.Error;
        module = message = "";
        int tag = line.StartsWith('[') ? line.IndexOf("] [", StringComparison.Ordinal) : -1;
        int tagEnd = tag < 0 ? -1 : line.IndexOf(']', tag + 3);
        int colon = tagEnd < 0 ? -1 : line.LastIndexOf(':', tagEnd, tagEnd - tag - 3);
        if (colon < 0 || !Configuration.Directives.LogDirectives.TryLevel(line[(colon + 1)..tagEnd], out level))
        {
            return false;
        }
        module = line[(tag + 3)..colon];
        message = line[Math.Min(line.Length, tagEnd + 2)..];
        return true;
    }

    internal static string LevelName(ErrorLogLevel level) => level switch
    {
        ErrorLogLevel.Debug => "debug",
        ErrorLogLevel.Info => "info",
        ErrorLogLevel.Notice => "notice",
        ErrorLogLevel.Warning => "warn",
        ErrorLogLevel.Error => "error",
        _ => "crit",
    };

    /// <summary>Apache's error-log time: "Sun Nov 22 05:30:26.123456 2026".</summary>
    internal static string FormatTime(DateTime t) =>
        t.ToString("ddd MMM dd HH:mm:ss", CultureInfo.InvariantCulture) +
        "." + (t.Ticks % TimeSpan.TicksPerSecond / 10).ToString("000000", CultureInfo.InvariantCulture) +
        t.ToString(" yyyy", CultureInfo.InvariantCulture);

    public ValueTask DisposeAsync() => _ownsOutput ? _output.DisposeAsync() : ValueTask.CompletedTask;
}
