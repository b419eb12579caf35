using WsgiHost.Logging;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Supervisor;

/// <summary>
/// The supervisor's own lines (reloads, server processes replaced, dead or killed): to standard
/// error until a server process names the site's ErrorLog file, then to that file, as Apache's
/// parent writes to the ErrorLog its children write to. An operator who reads the ErrorLog after
/// `systemctl reload` finds there whether the reload took (QA: the file had nothing of it).
/// At notice and above whatever the LogLevel, as Apache logs its graceful restarts.
/// </summary>
internal sealed class SupervisorErrorLog : IErrorLog, IAsyncDisposable
{
    /// <summary>How long a file no longer written to stays open, for lines already on their way to it.</summary>
    private static readonly TimeSpan CloseAfter = TimeSpan.FromSeconds(5);

    private readonly ApacheErrorLog _standardError = new(Console.Error, ErrorLogLevel.Notice);
    private readonly Lock _lock = new();
    private ApacheErrorLog? _file;
    private string? _path;

    public void Write(ErrorLogLevel level, string module, string message)
    {
        IErrorLog target;
        lock (_lock)
        {
            target = (IErrorLog?)_file ?? _standardError;
        }
        target.Write(level, module, message);
    }

    /// <summary>Writes to <paramref name="path"/> from now on (a file that cannot be opened leaves the lines where they went, and says so).</summary>
    public void UseFile(string path)
    {
        lock (_lock)
        {
            if (path == _path)
            {
                return;
            }
        }
        ApacheErrorLog opened;
        try
        {
            opened = ApacheErrorLog.ToFile(path, ErrorLogLevel.Notice);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Write(ErrorLogLevel.Error, "core", $"The supervisor cannot open the ErrorLog {path} for its own lines ({e.Message}); they go where they went.");
            return;
        }
        ApacheErrorLog? old;
        lock (_lock)
        {
            old = _file;
            _file = opened;
            _path = path;
        }
        if (old != null)
        {
            _ = Task.Delay(CloseAfter).ContinueWith(_ => old.DisposeAsync().AsTask(), TaskScheduler.Default).Unwrap();
        }
    }

    public async ValueTask DisposeAsync()
    {
        ApacheErrorLog? file;
        lock (_lock)
        {
            file = _file;
            _file = null;
        }
        if (file != null)
        {
            await file.DisposeAsync().ConfigureAwait(false);
        }
        await _standardError.DisposeAsync().ConfigureAwait(false);
    }
}
