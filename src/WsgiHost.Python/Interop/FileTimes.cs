using System.Runtime.InteropServices;
using System.Text;

namespace WsgiHost.Python.Interop;

/// <summary>
/// A script's modification time as of the call (mod_wsgi's WSGIScriptReloading stats the script
/// for every request). A real statx(2) on a path encoded once is made only when
/// <see cref="FileChangeNotifier"/> reports that something on the path may have changed since the
/// last one; otherwise the time seen then is still the time now. Where inotify is unavailable, or
/// the file could not be watched, every call stats. File.GetLastWriteTimeUtc costs about 1.8 µs
/// per call here (it re-encodes the path and may stat twice), the statx about 3 µs under load
/// (the path walk), 14% of a hello request's time on the WSGI thread (perf). The full path is
/// watched, so a symlink swapped by a deploy is seen. Falls back to .NET where statx is missing.
/// </summary>
internal sealed unsafe class FileTimes
{
    private const int AT_FDCWD = -100;
    private const int AT_STATX_SYNC_AS_STAT = 0;
    private const uint STATX_MTIME = 0x40;
    private const int MtimeSecondsOffset = 112;
    private const int MtimeNanosecondsOffset = 120;
    private const int StatxSize = 256;

    private static bool s_statxMissing = !OperatingSystem.IsLinux();

    private readonly string _path;
    private readonly byte[] _utf8;

    private readonly FileChangeNotifier? _notifier;

    // The time a stat found and the notifier's version polled before that stat, as one object
    // so that threads never pair one stat's time with another's version.
    private volatile Seen? _seen;

    public FileTimes(string path, FileChangeNotifier? notifier)
    {
        _path = path;
        _utf8 = Encoding.UTF8.GetBytes(path + "\0");
        _notifier = notifier;
    }

    public FileTimes(string path)
        : this(path, FileChangeNotifier.Shared)
    {
    }

    /// <summary>How many times the file was really stat'ed (for tests).</summary>
    internal int Stats => _stats;

    private int _stats;

    private sealed record Seen(long Version, DateTime Time);

    /// <summary>The last write time in UTC, or null when the file does not exist.</summary>
    public DateTime? LastWriteUtc() => LastWriteUtc(System.Diagnostics.Stopwatch.GetTimestamp());

    /// <summary>
    /// The last write time in UTC as of <paramref name="since"/> (a Stopwatch timestamp) or later:
    /// every change made before it is seen. Null when the file does not exist.
    /// </summary>
    public DateTime? LastWriteUtc(long since)
    {
        long? version = _notifier?.Poll(since);
        Seen? seen = _seen;
        if (seen != null && seen.Version == version)
        {
            return seen.Time;
        }
        // (Re)watch before the stat: a change after this is an event, one before it is in the stat.
        // A missing file cannot be watched and is not remembered: it is stat'ed until it is back.
        bool watched = version != null && !_unwatchable && _notifier!.Watch(_path);
        Interlocked.Increment(ref _stats);
        DateTime? time = Stat();
        if (version != null && !watched && time != null)
        {
            // It exists and still cannot be watched (the user's inotify watches are used up, a
            // directory that cannot be read): stat every time, as without inotify.
            _unwatchable = true;
        }
        _seen = watched && time is DateTime t ? new Seen(version!.Value, t) : null;
        return time;
    }

    private bool _unwatchable;

    private DateTime? Stat()
    {
        if (!s_statxMissing)
        {
            byte* buffer = stackalloc byte[StatxSize];
            int rc;
            fixed (byte* p = _utf8)
            {
                rc = statx(AT_FDCWD, p, AT_STATX_SYNC_AS_STAT, STATX_MTIME, buffer);
            }
            if (rc == 0)
            {
                long seconds = *(long*)(buffer + MtimeSecondsOffset);
                uint nanoseconds = *(uint*)(buffer + MtimeNanosecondsOffset);
                return DateTime.UnixEpoch.AddTicks(seconds * TimeSpan.TicksPerSecond + nanoseconds / 100);
            }
            int errno = Marshal.GetLastPInvokeError();
            if (errno != 38)
            {
                return null; // ENOENT, EACCES, ENOTDIR: as a missing file
            }
            s_statxMissing = true; // ENOSYS
        }
        DateTime mtime = File.GetLastWriteTimeUtc(_path);
        return mtime == DateTime.FromFileTimeUtc(0) && !File.Exists(_path) ? null : mtime;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int statx(int dirfd, byte* path, int flags, uint mask, byte* buffer);
}
