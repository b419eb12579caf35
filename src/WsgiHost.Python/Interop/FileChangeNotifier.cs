using System.Runtime.InteropServices;
using System.Text;

namespace WsgiHost.Python.Interop;

/// <summary>
/// One inotify instance for the process, telling <see cref="FileTimes"/> whether anything it
/// watches may have changed since it last looked. The kernel queues an inotify event inside
/// the system call that makes the change (write, utimes, rename, unlink), so a non-blocking
/// read that finds the queue empty proves that nothing watched changed before the read: a
/// change made before a request was sent is always seen by that request. The read costs far
/// less than the statx it saves (a path walk; 14% of the WSGI thread's time on hello, perf).
///
/// The answer is a version that grows with every batch of events, whichever file they are
/// about: a caller that saw version N and sees N again may skip its stat; any event makes
/// every watcher stat once more, which is exactly the old cost. One instance only, because
/// inotify instances are limited per user (128 by default, shared by every process of the user).
/// </summary>
internal sealed unsafe class FileChangeNotifier
{
    // Events on the watched file itself.
    private const uint FileMask = InModify | InAttrib | InCloseWrite | InDeleteSelf | InMoveSelf;

    // Events on a directory of the path: an entry created, removed or renamed (the file replaced by
    // a deploy's rename, a symlink swapped), and the directory itself moved or removed.
    private const uint DirectoryMask = InAttrib | InMovedFrom | InMovedTo | InCreate | InDelete | InDeleteSelf | InMoveSelf | InOnlyDir;

    private const uint InModify = 0x2;
    private const uint InAttrib = 0x4;
    private const uint InCloseWrite = 0x8;
    private const uint InMovedFrom = 0x40;
    private const uint InMovedTo = 0x80;
    private const uint InCreate = 0x100;
    private const uint InDelete = 0x200;
    private const uint InDeleteSelf = 0x400;
    private const uint InMoveSelf = 0x800;
    private const uint InOnlyDir = 0x01000000;
    private const uint InMaskAdd = 0x20000000;
    private const int InNonBlock = 0x800;
    private const int InCloExec = 0x80000;
    private const int EAGAIN = 11;
    private const int EINTR = 4;

    private static readonly Lazy<FileChangeNotifier?> s_shared = new(Create);

    private readonly int _fd;
    private readonly Lock _lock = new();
    private readonly byte[] _buffer = new byte[4096];
    private long _version;
    private long _lastReadStarted = long.MinValue;
    private int _reads;

    /// <summary>How many times the queue was read (for tests).</summary>
    internal int Reads => Volatile.Read(ref _reads);
    private bool _broken;

    private FileChangeNotifier(int fd) => _fd = fd;

    /// <summary>The process's notifier, or null where inotify is missing or its instances are used up.</summary>
    public static FileChangeNotifier? Shared => s_shared.Value;

    /// <summary>A notifier of its own (tests); null where inotify is missing.</summary>
    internal static FileChangeNotifier? Create()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        try
        {
            int fd = inotify_init1(InNonBlock | InCloExec);
            return fd < 0 ? null : new FileChangeNotifier(fd);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// The current version, after taking in every event queued so far; null when the notifier can
    /// no longer be trusted (a read error), and every caller must stat.
    /// </summary>
    public long? Poll() => Poll(System.Diagnostics.Stopwatch.GetTimestamp());

    /// <summary>
    /// The version as of a read of the queue that began at or after <paramref name="since"/>
    /// (a Stopwatch timestamp, such as when a request arrived): every change made before then
    /// is in it. Concurrent requests then share one read instead of making one each, and the
    /// second check of the same request (a daemon worker's restart check, then the gateway's)
    /// costs no system call.
    /// </summary>
    public long? Poll(long since)
    {
        lock (_lock)
        {
            if (_broken)
            {
                return null;
            }
            if (_lastReadStarted >= since)
            {
                return _version;
            }
            _lastReadStarted = System.Diagnostics.Stopwatch.GetTimestamp();
            _reads++;
            bool any = false;
            while (true)
            {
                nint n;
                fixed (byte* p = _buffer)
                {
                    n = read(_fd, p, _buffer.Length);
                }
                if (n > 0)
                {
                    any = true; // whatever it is, queue overflow included
                    continue;
                }
                int errno = n < 0 ? Marshal.GetLastPInvokeError() : 0;
                if (errno == EINTR)
                {
                    continue;
                }
                if (errno != EAGAIN)
                {
                    _broken = true;
                    return null;
                }
                break;
            }
            if (any)
            {
                _version++;
            }
            return _version;
        }
    }

    /// <summary>
    /// Watches the file and every directory on its path (as written, and as resolved when a
    /// symlink is on the way), so that a change to any of them shows in <see cref="Poll(long)"/>. Called
    /// again after every change: a replaced file or directory is a new inode, whose watch is
    /// added then. False when a watch could not be added (the caller then stats every time).
    /// </summary>
    public bool Watch(string path)
    {
        string full = Path.GetFullPath(path);
        bool ok = AddWatch(full, FileMask);
        foreach (string directory in Directories(full))
        {
            ok &= AddWatch(directory, DirectoryMask);
        }
        string? real = RealPath(full);
        if (real != null && real != full)
        {
            ok &= AddWatch(real, FileMask);
            foreach (string directory in Directories(real))
            {
                ok &= AddWatch(directory, DirectoryMask);
            }
        }
        return ok;
    }

    private static IEnumerable<string> Directories(string path)
    {
        for (string? d = Path.GetDirectoryName(path); !string.IsNullOrEmpty(d); d = Path.GetDirectoryName(d))
        {
            yield return d;
        }
    }

    private bool AddWatch(string path, uint mask)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = utf8)
        {
            // IN_MASK_ADD: several files in one directory share its watch; each adds its events.
            return inotify_add_watch(_fd, p, mask | InMaskAdd) >= 0;
        }
    }

    private static string? RealPath(string path)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(path + "\0");
        // A buffer of PATH_MAX, not realpath's own allocation: that comes from whichever malloc
        // the process runs (jemalloc or tcmalloc preloaded), while free imported from "libc" is
        // glibc's own, so freeing it there corrupts the heap; glibc's malloc checking caught it.
        byte* resolved = stackalloc byte[PathMax];
        fixed (byte* p = utf8)
        {
            return realpath(p, resolved) == 0 ? null : Marshal.PtrToStringUTF8((nint)resolved);
        }
    }

    /// <summary>Linux's PATH_MAX, the most realpath writes, its terminating NUL included.</summary>
    private const int PathMax = 4096;

    [DllImport("libc", SetLastError = true)]
    private static extern int inotify_init1(int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int inotify_add_watch(int fd, byte* path, uint mask);

    [DllImport("libc", SetLastError = true)]
    private static extern nint read(int fd, byte* buffer, nint count);

    [DllImport("libc", SetLastError = true)]
    private static extern nint realpath(byte* path, byte* resolved);
}
