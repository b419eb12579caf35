using System.Text;

namespace WsgiHost.Logging;

/// <summary>
/// A log file that can be reopened under the same name, for log rotation: logrotate renames
/// the file, then SIGUSR1 makes every open LogFile start a new one (the renamed file keeps
/// what was written before). Writes and the reopen are serialised by one lock per file; the
/// background writers call it from one task, so the lock is not contended.
/// </summary>
internal sealed class LogFile : SynchronousLogWriter
{
    private static readonly List<WeakReference<LogFile>> s_open = [];

    private readonly string _path;
    private readonly Lock _lock = new();
    private StreamWriter _writer;

    private LogFile(string path)
    {
        _path = path;
        _writer = Open(path);
    }

    /// <summary>Opens a log file for appending (creating its folder), registered for <see cref="ReopenAll"/>.</summary>
    public static LogFile Append(string path)
    {
        var file = new LogFile(path);
        lock (s_open)
        {
            s_open.RemoveAll(w => !w.TryGetTarget(out _));
            s_open.Add(new WeakReference<LogFile>(file));
        }
        return file;
    }

    /// <summary>SIGUSR1: every open log file closes and opens its name again.</summary>
    public static int ReopenAll()
    {
        List<LogFile> files;
        lock (s_open)
        {
            files = [.. s_open.Select(w => w.TryGetTarget(out LogFile? f) ? f : null).OfType<LogFile>()];
        }
        foreach (LogFile file in files)
        {
            file.Reopen();
        }
        return files.Count;
    }

    private static StreamWriter Open(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        return new StreamWriter(stream, new UTF8Encoding(false));
    }

    private void Reopen()
    {
        lock (_lock)
        {
            _writer.Flush();
            _writer.Dispose();
            _writer = Open(_path);
        }
    }

    public override void Write(string? value)
    {
        lock (_lock)
        {
            _writer.Write(value);
        }
    }

    public override void Flush()
    {
        lock (_lock)
        {
            _writer.Flush();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_lock)
            {
                _writer.Dispose();
            }
        }
        base.Dispose(disposing);
    }
}
