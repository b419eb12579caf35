using WsgiHost.Python.Interop;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Server;

/// <summary>
/// Gives memory back to the system once a process that served requests has been idle for a
/// whole <see cref="Interval"/>: a full, compacting garbage collection that also decommits the
/// collector's free regions (<see cref="GCCollectionMode.Aggressive"/>), then
/// <see cref="NativeHeap.Trim"/> for the C heap, where CPython's larger objects lived.
/// Once per quiet spell: nothing runs again until requests come and go again.
/// </summary>
/// <remarks>
/// Without it a burst left its high-water mark behind for good: a group of 2 daemon workers
/// after 4 s of 1 MiB uploads from 64 clients went from 51 to 75 MB for the whole server, and
/// stayed there: the garbage collector keeps the regions a burst filled committed (4-6 MB a
/// process), and glibc the pages Python freed. Collections are otherwise rare here (little is
/// allocated per request), so nothing else returns them. The cost, a collection of a small
/// heap (a few milliseconds) and the page faults of the next burst, falls on idle time.
/// </remarks>
internal sealed class IdleMemoryTrim : IDisposable
{
    /// <summary>How long a process must have served nothing before it trims.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly Func<(long Marker, bool Busy)> _activity;
    private readonly Action _trim;
    private readonly Timer? _timer;
    private long _marker;
    private bool _trimmed = true; // nothing to give back before the first request

    /// <param name="activity">
    /// What the process did so far: a number that changes whenever a request starts or ends
    /// (a count, a timestamp), and whether any request is running now.
    /// </param>
    /// <param name="log">Where each trim is noted (at debug level), with what it gave back.</param>
    public IdleMemoryTrim(Func<(long Marker, bool Busy)> activity, IErrorLog log)
        : this(activity, () => Trim(log), Interval)
    {
    }

    /// <param name="every">How often <see cref="Tick"/> runs; <see cref="Timeout.InfiniteTimeSpan"/>: never by itself.</param>
    internal IdleMemoryTrim(Func<(long Marker, bool Busy)> activity, Action trim, TimeSpan every)
    {
        _activity = activity;
        _trim = trim;
        _marker = activity().Marker;
        if (every != Timeout.InfiniteTimeSpan)
        {
            _timer = new Timer(static self => ((IdleMemoryTrim)self!).Tick(), this, every, every);
        }
    }

    /// <summary>
    /// One look: after an interval with requests, remembers them; after a quiet one that
    /// follows requests, trims. True when it trimmed.
    /// </summary>
    internal bool Tick()
    {
        (long marker, bool busy) = _activity();
        lock (_activity)
        {
            if (busy || marker != _marker)
            {
                _marker = marker;
                _trimmed = false;
                return false;
            }
            if (_trimmed)
            {
                return false;
            }
            _trimmed = true;
        }
        _trim();
        return true;
    }

    private static void Trim(IErrorLog log)
    {
        long before = Environment.WorkingSet;
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        NativeHeap.Trim();
        TimeSpan took = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        long after = Environment.WorkingSet;
        log.Write(ErrorLogLevel.Debug, "core",
            $"Idle for {Interval.TotalSeconds:0} s: gave {Math.Max(0, before - after) / 1048576.0:0.0} MB of memory back to the system in {took.TotalMilliseconds:0.0} ms (RSS {after / 1048576.0:0.0} MB).");
    }

    public void Dispose() => _timer?.Dispose();
}
