using WsgiHost.Python.Interop;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Server;

/// <summary>
/// Gives memory back to the system once a burst is over: when the requests a process ended in
/// a tick of <see cref="Interval"/>, and those still running, fall to a tenth of the busiest
/// tick since it last did so (after a few requests, to none), and the process has grown by
/// <see cref="WorthTrimming"/> since, it runs a full, compacting garbage collection that also
/// decommits the collector's free regions (<see cref="GCCollectionMode.Aggressive"/>), then
/// <see cref="NativeHeap.Trim"/> for the C heap, where CPython's larger objects lived, and
/// <see cref="MappedFilePages.ReleaseClean()"/> (which also runs once as it is made, when the
/// process starts serving, for the code and data only startup used). A
/// steady trickle (a load balancer's health checks) or a long request (a long poll) neither
/// keeps it from running after a burst nor makes it run again and again.
/// </summary>
/// <remarks>
/// Without it a burst left its high-water mark behind for good: a group of 2 daemon workers
/// after 4 s of 1 MiB uploads from 64 clients went from 50 to 75 MB for the whole server, and
/// stayed there: the garbage collector keeps the regions a burst filled committed (4-6 MB a
/// process), and glibc the pages Python freed. Collections are otherwise rare here (little is
/// allocated per request), so nothing else returns them. The cost, a collection of a small
/// heap (a few milliseconds) and the page faults of the next burst, falls on a quiet moment.
/// </remarks>
internal sealed class IdleMemoryTrim : IDisposable
{
    /// <summary>How often the requests are counted.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    /// <summary>How much a process must have grown since its last trim (or its start) for a trim to be worth its collection.</summary>
    public const long WorthTrimming = 1024 * 1024;

    /// <summary>A tick this many times quieter than the busiest since the last trim ends the burst.</summary>
    private const long QuietRatio = 10;

    private readonly Func<(long Served, long Running)> _activity;
    private readonly Action _trim;
    private readonly Func<long> _resident;
    private readonly Timer? _timer;
    private readonly Lock _lock = new();
    private long _served;

    /// <summary>The most requests a tick ended since the last trim; 0: none since.</summary>
    private long _busiest;

    /// <summary>The process's resident bytes after its last trim, or at its start.</summary>
    private long _trimmedTo;

    /// <param name="activity">
    /// How many requests the process has ended so far, and how many are running now.
    /// </param>
    /// <param name="log">Where each trim is noted (at debug level), with what it gave back.</param>
    public IdleMemoryTrim(Func<(long Served, long Running)> activity, IErrorLog log)
        : this(activity, () => Trim(log), static () => Environment.WorkingSet, Interval, atStart: () => DropStartupPages(log))
    {
    }

    /// <param name="resident">The process's resident bytes now.</param>
    /// <param name="every">How often <see cref="Tick"/> runs; <see cref="Timeout.InfiniteTimeSpan"/>: never by itself.</param>
    /// <param name="atStart">Run first, before the resident bytes the next trim is measured against are read.</param>
    internal IdleMemoryTrim(Func<(long Served, long Running)> activity, Action trim, Func<long> resident, TimeSpan every, Action? atStart = null)
    {
        atStart?.Invoke();
        _activity = activity;
        _trim = trim;
        _resident = resident;
        _served = activity().Served;
        _trimmedTo = resident();
        if (every != Timeout.InfiniteTimeSpan)
        {
            _timer = new Timer(static self => ((IdleMemoryTrim)self!).Tick(), this, every, every);
        }
    }

    /// <summary>One tick: counts the requests ended since the last, and trims when a burst is over. True when it trimmed.</summary>
    internal bool Tick()
    {
        (long served, long running) = _activity();
        lock (_lock)
        {
            long ended = served - _served;
            _served = served;
            if (_busiest == 0 || Math.Max(ended, running) * QuietRatio > _busiest)
            {
                _busiest = Math.Max(_busiest, ended);
                return false;
            }
            // What still comes is the new normal: only a burst above it can end in a trim again.
            _busiest = ended;
            if (_resident() < _trimmedTo + WorthTrimming)
            {
                return false;
            }
            _trim();
            _trimmedTo = _resident();
            return true;
        }
    }

    private static void Trim(IErrorLog log)
    {
        long before = Environment.WorkingSet;
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        NativeHeap.Trim();
        MappedFilePages.ReleaseClean();
        TimeSpan took = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        long after = Environment.WorkingSet;
        log.Write(ErrorLogLevel.Debug, "core",
            $"After a burst of requests: gave {Math.Max(0, before - after) / 1048576.0:0.0} MB of memory back to the system in {took.TotalMilliseconds:0.0} ms (RSS {after / 1048576.0:0.0} MB).");
    }

    /// <summary>Made as the process starts serving: the code and data only startup used go now.</summary>
    private static void DropStartupPages(IErrorLog log)
    {
        long before = Environment.WorkingSet;
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        long dropped = MappedFilePages.ReleaseClean();
        TimeSpan took = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        long after = Environment.WorkingSet;
        log.Write(ErrorLogLevel.Debug, "core",
            $"Started: dropped {dropped / 1048576.0:0.0} MB of mapped file pages only startup used in {took.TotalMilliseconds:0.0} ms (RSS {before / 1048576.0:0.0} -> {after / 1048576.0:0.0} MB).");
    }

    public void Dispose() => _timer?.Dispose();
}
