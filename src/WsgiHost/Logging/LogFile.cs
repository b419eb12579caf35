using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

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

    /// <summary>Disposed: SIGUSR1 leaves it alone.</summary>
    private bool _closed;

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

    /// <summary>
    /// SIGUSR1: every open log file opens its name again and closes the old one. One that cannot
    /// be opened (a server that became Apache's User, say, and a log folder only root may write)
    /// keeps writing to the file it has; its path and the reason are in <paramref name="failed"/>.
    /// </summary>
    public static int ReopenAll(List<string>? failed = null)
    {
        List<LogFile> files;
        lock (s_open)
        {
            files = [.. s_open.Select(w => w.TryGetTarget(out LogFile? f) ? f : null).OfType<LogFile>()];
        }
        int reopened = 0;
        foreach (LogFile file in files)
        {
            try
            {
                file.Reopen();
                reopened++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failed?.Add($"{file._path}: {e.Message.TrimEnd('.')}");
            }
        }
        return reopened;
    }

    private static StreamWriter Open(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        if (OperatingSystem.IsWindows())
        {
            return new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete), new UTF8Encoding(false));
        }
        // The server and its daemon workers append to the same error log. FileMode.Append only
        // seeks to the end once, so processes would overwrite each other's lines; O_APPEND makes
        // the kernel put every write at the end (Apache opens its logs the same way). Each burst
        // of lines is one write: no FileStream buffer, and a StreamWriter buffer large enough.
        int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0b110_100_100);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw errno is 1 or 13 // EPERM, EACCES
                ? new UnauthorizedAccessException($"Access to the path '{path}' is denied.")
                : new IOException($"cannot open '{path}' for appending (errno {errno})");
        }
        var stream = new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Write, bufferSize: 0);
        return new StreamWriter(stream, new UTF8Encoding(false), bufferSize: 64 * 1024);
    }

    private const int O_WRONLY = 0x1;
    private const int O_CREAT = 0x40;
    private const int O_APPEND = 0x400;
    private const int O_CLOEXEC = 0x80000;

    // DllImport, not LibraryImport: this project has no unsafe code (WsgiHost.Python alone does).
    [DllImport("libc", SetLastError = true)]
    private static extern int open(string path, int flags, int mode);

    private void Reopen()
    {
        // The new file first: if it cannot be had, the old one stays in use.
        StreamWriter next = Open(_path);
        lock (_lock)
        {
            if (_closed)
            {
                // Closed since ReopenAll listed it: nothing writes here any more.
                next.Dispose();
                return;
            }
            _writer.Flush();
            _writer.Dispose();
            _writer = next;
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
                _closed = true;
                _writer.Dispose();
            }
            lock (s_open)
            {
                s_open.RemoveAll(w => !w.TryGetTarget(out LogFile? f) || f == this);
            }
        }
        base.Dispose(disposing);
    }
}
