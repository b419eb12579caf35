using System.Threading.Tasks.Sources;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Python.Wsgi;

/// <summary>
/// The bounded pool of dedicated WSGI threads (mod_wsgi's threads=N). Python never runs on
/// the .NET thread pool: an app that blocks (sleep, a slow database) would starve it, and
/// the pool adds threads back only slowly (73 req/s against 616 measured with a sleeping app).
/// Kestrel's request handlers await the returned task.
///
/// Scheduling is built around the GIL, which lets one thread run Python at a time:
/// <list type="bullet">
/// <item>A thread that has a request keeps its interpreter's GIL and takes the next queued
/// request for the same interpreter without giving the GIL up, so a busy server pays no GIL
/// hand-over and no thread wake-up per request.</item>
/// <item>A new request wakes an idle thread only when no thread is working under its GIL (the
/// main one, or an own-GIL sub-interpreter's: <see cref="Lane"/>). If requests wait and no
/// thread has taken one for <see cref="StallThreshold"/> (the working ones are blocked in
/// sleep, a database or a large upload, which release the GIL), a watchdog wakes one more idle
/// thread, so a slow request never holds up the others for long.</item>
/// <item>Idle threads wait last-in first-out on events that do not spin.</item>
/// </list>
/// A shared semaphore that woke a thread per request, each then queueing for the GIL, spent
/// about 40% of the CPU in context switches and spinning on two cores (perf, hello app,
/// wrk -c32).
/// </summary>
public sealed class WsgiExecutor : IDisposable
{
    /// <summary>How long the oldest queued request may wait before one more thread is woken.</summary>
    internal static readonly TimeSpan StallThreshold = TimeSpan.FromMilliseconds(1);

    private static readonly long s_stallTicks = (long)(StallThreshold.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);

    private readonly Lock _lock = new();
    private readonly Lane _shared = new(null);
    private readonly List<Lane> _lanes;
    private readonly Stack<Worker> _idle = new();
    private readonly Stack<WorkItem> _spareItems = new();
    private readonly ManualResetEventSlim _queued = new(false, spinCount: 1);
    private readonly Thread[] _threads;
    private readonly Thread? _watchdog;
    private readonly Action? _watchWanted;
    private readonly IErrorLog _log;
    private volatile bool _stopping;

    // The stall watch run by the caller (watchWanted): whether it was asked for and has not yet
    // found the queues empty (under the lock), and when its next look is due (its thread's).
    private bool _watchArmed;
    private long _nextLook;

    /// <summary>Starts <paramref name="threads"/> WSGI threads; messages about failed requests go to <paramref name="log"/>.</summary>
    public WsgiExecutor(int threads, IErrorLog log)
        : this(threads, log, watchWanted: null)
    {
    }

    /// <summary>
    /// As <see cref="WsgiExecutor(int, IErrorLog)"/>; with <paramref name="watchWanted"/>, the
    /// stall watch is the caller's to run instead of a thread's of its own: once it is called
    /// (from any thread, when a request queues behind working threads), the caller calls
    /// <see cref="Watch"/>, and again within the milliseconds each call returns, until one
    /// returns -1. A daemon worker's readiness loop, awake for arrivals anyway, takes these
    /// looks: the watchdog thread cost a context switch every millisecond while requests queued,
    /// a tenth of one a request in a busy worker (bench/threads.sh daemon, hello).
    /// </summary>
    internal WsgiExecutor(int threads, IErrorLog log, Action? watchWanted)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        _log = log;
        _watchWanted = watchWanted;
        _lanes = [_shared];
        _threads = new Thread[threads];
        for (int i = 0; i < threads; i++)
        {
            var worker = new Worker(this);
            _threads[i] = new Thread(worker.Run) { Name = $"wsgi-{i}", IsBackground = true };
            _threads[i].Start();
        }
        if (watchWanted == null)
        {
            _watchdog = new Thread(WatchdogLoop) { Name = "wsgi-watchdog", IsBackground = true };
            _watchdog.Start();
        }
    }

    /// <summary>How many WSGI threads run requests.</summary>
    public int ThreadCount => _threads.Length;

    /// <summary>Requests waiting for a free WSGI thread.</summary>
    public int QueueLength
    {
        get
        {
            lock (_lock)
            {
                int waiting = 0;
                foreach (Lane lane in _lanes)
                {
                    waiting += lane.Queue.Count;
                }
                return waiting;
            }
        }
    }

    /// <summary>
    /// Runs the request on a WSGI thread; completes when the response has been handed to the
    /// transport. The result is backed by a pooled object: await it once, and only once.
    /// </summary>
    public ValueTask RunAsync(WsgiApplication app, IWsgiExchange exchange)
    {
        long now = System.Diagnostics.Stopwatch.GetTimestamp();
        return Enqueue(app, exchange, now, now);
    }

    /// <summary>
    /// As <see cref="RunAsync(WsgiApplication, IWsgiExchange)"/>, for a request that reached the
    /// server at <paramref name="arrived"/> (a Stopwatch timestamp, not later than now): the
    /// script is checked as of then, so a check the caller made since is not repeated.
    /// </summary>
    public ValueTask RunAsync(WsgiApplication app, IWsgiExchange exchange, long arrived) =>
        Enqueue(app, exchange, System.Diagnostics.Stopwatch.GetTimestamp(), arrived);

    private ValueTask Enqueue(WsgiApplication app, IWsgiExchange exchange, long enqueued, long arrived)
    {
        if (_stopping)
        {
            throw new ObjectDisposedException(nameof(WsgiExecutor), "the server is shutting down");
        }
        Worker? wake = null;
        bool watch = false;
        WorkItem item;
        ValueTask completion;
        lock (_lock)
        {
            Lane lane = app.Replicas is { } replicas ? LeastBusy(replicas, out app) : LaneFor(app.Interpreter);
            item = _spareItems.TryPop(out WorkItem? spare) ? spare : new WorkItem(this);
            completion = item.Start(app, exchange, enqueued, arrived, lane);
            lane.Queue.Enqueue(item);
            Interlocked.Increment(ref lane.Requests);
            if (lane.Working == 0)
            {
                wake = Unpark(lane);
            }
            // With threads working under this GIL (or none idle to wake), the watchdog looks
            // after a request that then waits too long.
            watch = wake == null;
            if (watch && _watchWanted != null)
            {
                // Asked for once until a look finds nothing waiting.
                watch = !_watchArmed;
                _watchArmed = true;
            }
        }
        wake?.Wake();
        if (watch)
        {
            if (_watchWanted != null)
            {
                _watchWanted();
            }
            else if (!_queued.IsSet)
            {
                _queued.Set();
            }
        }
        return completion;
    }

    /// <summary>Keeps a finished item for the next request; as many as ever waited at once, at most 1024.</summary>
    private void Recycle(WorkItem item)
    {
        lock (_lock)
        {
            if (_spareItems.Count < 1024)
            {
                _spareItems.Push(item);
            }
        }
    }

    /// <summary>
    /// The lane of the GIL that <paramref name="interpreter"/> runs under: the shared one, or
    /// its own (made on its first request; interpreters are never more than
    /// <see cref="Interpreter.MaxSlots"/>). Under the lock.
    /// </summary>
    private Lane LaneFor(Interpreter interpreter)
    {
        if (!interpreter.OwnGil)
        {
            return _shared;
        }
        foreach (Lane lane in _lanes)
        {
            if (lane.Owner == interpreter)
            {
                return lane;
            }
        }
        var own = new Lane(interpreter);
        _lanes.Add(own);
        return own;
    }

    /// <summary>
    /// Of an application's interpreters (WSGIApplicationInterpreters), the one whose GIL has the
    /// fewest requests queued and running, the first on a tie (a lightly loaded server keeps
    /// to one warm interpreter), leaving out those the script cannot run in; and that GIL's
    /// lane. Under the lock.
    /// </summary>
    private Lane LeastBusy(WsgiApplication[] replicas, out WsgiApplication chosen)
    {
        chosen = replicas[0];
        Lane best = LaneFor(chosen.Interpreter);
        int least = Volatile.Read(ref best.Requests);
        for (int i = 1; i < replicas.Length && least > 0; i++)
        {
            if (replicas[i].Script.IsolationRefused)
            {
                continue;
            }
            Lane lane = LaneFor(replicas[i].Interpreter);
            int load = Volatile.Read(ref lane.Requests);
            if (load < least)
            {
                (chosen, best, least) = (replicas[i], lane, load);
            }
        }
        return best;
    }

    /// <summary>
    /// Takes the most recently parked worker and counts it as working in
    /// <paramref name="lane"/> at once, so requests that arrive before it runs do not wake more
    /// threads. Under the lock.
    /// </summary>
    private Worker? Unpark(Lane lane)
    {
        if (!_idle.TryPop(out Worker? worker))
        {
            return null;
        }
        worker.MoveTo(lane);
        return worker;
    }

    /// <summary>The next request, or null after parking the worker as idle (then it must wait).</summary>
    private WorkItem? TakeOrPark(Worker worker)
    {
        lock (_lock)
        {
            Lane? lane = NextLane(worker.Lane);
            if (lane != null)
            {
                lane.LastTaken = System.Diagnostics.Stopwatch.GetTimestamp();
                worker.MoveTo(lane);
                return lane.Queue.Dequeue();
            }
            worker.MoveTo(null);
            _idle.Push(worker);
            return null;
        }
    }

    /// <summary>
    /// The lane a worker now in <paramref name="current"/> should take its next request from:
    /// of those with requests waiting, the one with the fewest other threads working under its
    /// GIL, so a GIL with nobody running Python under it gets a thread first; on a tie the one
    /// whose oldest request has waited longest (not the worker's own: a lane that refills as
    /// fast as it is served would keep the thread for good). Under the lock.
    /// </summary>
    private Lane? NextLane(Lane? current)
    {
        if (_lanes.Count == 1)
        {
            return _shared.Queue.Count > 0 ? _shared : null;
        }
        Lane? best = null;
        int bestOthers = int.MaxValue;
        foreach (Lane lane in _lanes)
        {
            if (lane.Queue.Count == 0)
            {
                continue;
            }
            int others = lane == current ? lane.Working - 1 : lane.Working;
            if (best == null || others < bestOthers
                || (others == bestOthers && lane.Queue.Peek().Enqueued < best.Queue.Peek().Enqueued))
            {
                best = lane;
                bestOthers = others;
            }
        }
        return best;
    }

    /// <summary>
    /// Whether requests wait under a GIL that no thread works under (every thread was busy when
    /// they came): a batch under another GIL must then end and let its thread go there. Under the lock.
    /// </summary>
    private bool AnyLaneUnattended()
    {
        if (_lanes.Count == 1)
        {
            return false;
        }
        foreach (Lane lane in _lanes)
        {
            if (lane.Working == 0 && lane.Queue.Count > 0)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The next request if it runs in <paramref name="interpreter"/> (whose GIL the caller holds).</summary>
    private WorkItem? TakeFor(Worker worker, Interpreter interpreter)
    {
        lock (_lock)
        {
            Lane lane = worker.Lane!;
            if (lane.Queue.TryPeek(out WorkItem? next) && next.App.Interpreter == interpreter && !AnyLaneUnattended())
            {
                lane.LastTaken = System.Diagnostics.Stopwatch.GetTimestamp();
                return lane.Queue.Dequeue();
            }
            return null;
        }
    }

    /// <summary>
    /// Runs requests back to back while they are for the same interpreter, holding its GIL
    /// between them. Returns true when the thread should step back (<see cref="TryStepBack"/>):
    /// it has lately spent most of its time waiting for the GIL.
    /// </summary>
    private bool ProcessBatch(Worker worker, WorkItem first)
    {
        Interpreter interpreter = first.App.Interpreter;
        long begin = System.Diagnostics.Stopwatch.GetTimestamp();
        using var gil = GilScope.Acquire(interpreter);
        long waited = System.Diagnostics.Stopwatch.GetTimestamp() - begin;
        for (WorkItem? item = first; item != null; item = _stopping ? null : TakeFor(worker, interpreter))
        {
            // Taking the GIL back after this request is the next one's wait.
            long next = Process(item);
            long now = System.Diagnostics.Stopwatch.GetTimestamp();
            if (worker.MostlyWaitedForGil(waited, now - next - begin))
            {
                return true;
            }
            begin = now - next;
            waited = next;
        }
        return false;
    }

    /// <summary>
    /// After a request, by a thread that has lately spent most of its time waiting for the GIL:
    /// it parks if others work under its GIL (and no GIL waits with no thread), so only as many
    /// threads take requests as the GIL can keep busy. A thread woken for a stall caused by I/O
    /// (the working threads blocked in a database or sleep) finds the GIL mostly free and stays.
    /// One woken because a request ran long in Python would otherwise stay for good, every
    /// request then handing the GIL from thread to thread (Flask on two cores: all 8 threads
    /// working, 30% more CPU per request and about 20% fewer requests). False: keep working.
    /// </summary>
    private bool TryStepBack(Worker worker)
    {
        lock (_lock)
        {
            // Alone under this GIL, or wanted where requests wait with no thread: keep working.
            if (worker.Lane!.Working <= 1 || _stopping || AnyLaneUnattended())
            {
                return false;
            }
            worker.MoveTo(null);
            _idle.Push(worker);
            return true;
        }
    }

    /// <summary>Runs one request; returns how long taking the GIL back after its completion took (Stopwatch ticks).</summary>
    private long Process(WorkItem item)
    {
        Exception? failure = null;
        try
        {
            if (item.Exchange.ClientGone)
            {
                // Queued behind busy threads until its client gave up: under overload, retrying
                // clients would otherwise fill the queue with work no one waits for.
                _log.Write(ErrorLogLevel.Info, "wsgi", $"[client {item.Exchange.ClientForLog}] The client went away while the request waited for a WSGI thread; it was not run.");
            }
            else
            {
                WsgiGateway.Invoke(item.App, item.Exchange, item.Arrived);
            }
        }
        catch (Exception e)
        {
            // The gateway handles app errors itself; reaching here is a bug of ours or a
            // transport failure. Fail only this request and keep the thread.
            _log.Write(ErrorLogLevel.Error, "wsgi", $"[client {item.Exchange.ClientForLog}] Request failed in the WSGI gateway: {e}");
            failure = e;
        }
        finally
        {
            // The app is done: no longer load on its GIL, although this thread still finishes
            // the request and looks for the next (LeastBusy).
            Interlocked.Decrement(ref item.Lane.Requests);
        }
        // Kestrel's completion runs synchronously here and may start the next request of the
        // connection (which can create an interpreter on python-main): never with the GIL.
        GilRelease released = GilScope.Release();
        long reacquiring = 0;
        try
        {
            // The item is recycled once its awaiter has the result: not touched after this.
            item.Complete(failure);
        }
        finally
        {
            reacquiring = System.Diagnostics.Stopwatch.GetTimestamp();
            released.Dispose();
        }
        return System.Diagnostics.Stopwatch.GetTimestamp() - reacquiring;
    }

    /// <summary>The watchdog thread: wakes one more thread while the oldest queued request has waited too long.</summary>
    private void WatchdogLoop()
    {
        while (!_stopping)
        {
            _queued.Wait();
            Thread.Sleep(StallThreshold);
            Worker? wake;
            lock (_lock)
            {
                wake = FindStall(System.Diagnostics.Stopwatch.GetTimestamp(), out bool waiting);
                if (!waiting)
                {
                    _queued.Reset();
                    continue;
                }
            }
            wake?.Wake();
        }
    }

    /// <summary>
    /// One look of the stall watch when the caller runs it (see the constructor): wakes one
    /// more thread for a stalled GIL; returns the milliseconds until the next look is due, or
    /// -1 when no request waits (the watch is then asked for again with the next one that queues).
    /// </summary>
    internal int Watch()
    {
        long now = System.Diagnostics.Stopwatch.GetTimestamp();
        if (now < _nextLook)
        {
            return (int)Math.Ceiling((_nextLook - now) * 1000.0 / System.Diagnostics.Stopwatch.Frequency);
        }
        Worker? wake;
        lock (_lock)
        {
            wake = FindStall(now, out bool waiting);
            if (!waiting || _stopping)
            {
                _watchArmed = false;
                return -1;
            }
        }
        wake?.Wake();
        // As the watchdog thread: a look a stall threshold after the last, so a request that
        // queued just now is not looked at again before it could have stalled.
        _nextLook = now + s_stallTicks;
        return (int)Math.Ceiling(StallThreshold.TotalMilliseconds);
    }

    /// <summary>
    /// The idle thread to wake for the first stalled GIL: requests wait and no thread has taken
    /// one of its requests for a while (the working ones are blocked); a long queue that is
    /// moving is not a stall. <paramref name="waiting"/>: whether any request waits. Under the lock.
    /// </summary>
    private Worker? FindStall(long now, out bool waiting)
    {
        waiting = false;
        foreach (Lane lane in _lanes)
        {
            if (lane.Queue.Count == 0)
            {
                continue;
            }
            waiting = true;
            if (now - lane.Queue.Peek().Enqueued >= s_stallTicks && now - lane.LastTaken >= s_stallTicks)
            {
                return Unpark(lane);
            }
        }
        return null;
    }

    /// <summary>Lets queued requests finish, then stops the threads, waiting up to 10 s for all of them.</summary>
    public void Dispose() => Stop(TimeSpan.FromSeconds(10), CancellationToken.None);

    /// <summary>
    /// Lets queued requests finish, then stops the threads, waiting for them until
    /// <paramref name="most"/> has passed or <paramref name="stop"/> is cancelled (a host's
    /// shutdown timeout): one deadline for all, not one per thread, which made five stuck
    /// threads hold a stopping host for 50 s. True when every thread ended.
    /// </summary>
    public bool Stop(TimeSpan most, CancellationToken stop)
    {
        if (_stopping)
        {
            return _threads.All(t => !t.IsAlive);
        }
        _stopping = true;
        List<Worker> idle;
        lock (_lock)
        {
            idle = [.. _idle];
            _idle.Clear();
        }
        foreach (Worker w in idle)
        {
            w.Wake();
        }
        _queued.Set();
        long deadline = Environment.TickCount64 + (long)most.TotalMilliseconds;
        foreach (Thread t in _threads)
        {
            while (!t.Join(TimeSpan.FromMilliseconds(50)))
            {
                if (Environment.TickCount64 >= deadline || stop.IsCancellationRequested)
                {
                    _watchdog?.Join(TimeSpan.FromSeconds(1));
                    return false;
                }
            }
        }
        _watchdog?.Join(TimeSpan.FromSeconds(1));
        return true;
    }

    /// <summary>One WSGI thread's loop and its wake-up event.</summary>
    private sealed class Worker(WsgiExecutor executor)
    {
        // Never spins: on a machine with few cores a spinning waiter takes CPU from the thread
        // that holds the GIL. A futex of its own, not the runtime's wait subsystem (ThreadParker).
        private readonly ThreadParker _wake = new();

        // The share of its time this thread spent waiting for the GIL, averaged over about the
        // last 4 requests. With the GIL busy running Python, n working threads each wait
        // (n-1)/n of the time: a third already means another thread would run these requests
        // as fast. Threads that mostly wait for I/O share the GIL with a few percent.
        private double _gilWaitShare;

        /// <summary>The lane it is counted as working in, null while idle; changed only under the executor's lock.</summary>
        public Lane? Lane { get; private set; }

        /// <summary>Counts the worker as working in <paramref name="lane"/> (null: idle) instead of where it was.</summary>
        public void MoveTo(Lane? lane)
        {
            if (Lane == lane)
            {
                return;
            }
            if (Lane != null)
            {
                Lane.Working--;
            }
            Lane = lane;
            if (lane != null)
            {
                lane.Working++;
            }
        }

        /// <summary>Records one request (its wait for the GIL and its whole time, in ticks); true when the thread mostly waits.</summary>
        public bool MostlyWaitedForGil(long waited, long total)
        {
            if (total > 0)
            {
                _gilWaitShare += ((double)waited / total - _gilWaitShare) / 4;
            }
            if (_gilWaitShare <= 0.3)
            {
                return false;
            }
            _gilWaitShare = 0;
            return true;
        }

        public void Wake() => _wake.Unpark();

        public void Run()
        {
            while (true)
            {
                WorkItem? item = executor.TakeOrPark(this);
                if (item != null)
                {
                    if (!executor.ProcessBatch(this, item) || !executor.TryStepBack(this))
                    {
                        continue;
                    }
                }
                if (executor._stopping)
                {
                    return;
                }
                _wake.Park();
            }
        }
    }

    /// <summary>
    /// The requests waiting for one GIL and the threads working under it. Interpreters share
    /// the main interpreter's GIL unless made with their own (WSGISubInterpreterGIL Own), so
    /// without that there is one lane and the executor is one queue. With it, each own-GIL
    /// interpreter is a lane: a request wakes a thread when none works under its GIL, however
    /// busy the others are, so the groups run Python on several cores at once. (One queue for
    /// all woke a thread only when no thread worked at all: two own-GIL groups serving short
    /// requests ran mostly on one thread.)
    /// </summary>
    private sealed class Lane(Interpreter? owner)
    {
        /// <summary>The own-GIL interpreter; null for the shared GIL.</summary>
        public Interpreter? Owner { get; } = owner;

        public Queue<WorkItem> Queue { get; } = new();

        /// <summary>Threads counted as working under this GIL.</summary>
        public int Working { get; set; }

        /// <summary>
        /// Requests queued or running in the app under this GIL: the load LeastBusy compares. Not
        /// the threads working: a thread counts as working until it finds its queue empty, after
        /// its response has gone out, and a request that came in that window went to a cold
        /// interpreter (ApplicationInterpretersTests, CI 2026-12-05). Counted down without the
        /// lock, when the app returns, hence Interlocked. Every app's requests, not only those of
        /// apps in several interpreters: the first interpreter of such an app may share its GIL
        /// with other apps, whose requests are load on it too.
        /// </summary>
        public int Requests;

        /// <summary>When a thread last took one of its requests (Stopwatch ticks), for the stall watchdog.</summary>
        public long LastTaken { get; set; }
    }

    /// <summary>
    /// One request's place in the queue and its completion, reused (a hello request otherwise
    /// allocated a TaskCompletionSource and its Task). Continuations run synchronously on
    /// purpose: finishing the HTTP response (Kestrel's flush to the socket) then happens right
    /// here on the WSGI thread instead of costing one more thread hop per request. Kestrel's
    /// completion path is asynchronous and returns as soon as it would wait.
    /// </summary>
    private sealed class WorkItem(WsgiExecutor owner) : IValueTaskSource
    {
        private ManualResetValueTaskSourceCore<bool> _completion;

        public WsgiApplication App { get; private set; } = null!;

        public IWsgiExchange Exchange { get; private set; } = null!;

        public long Enqueued { get; private set; }

        public long Arrived { get; private set; }

        /// <summary>The GIL's lane the request was queued in.</summary>
        public Lane Lane { get; private set; } = null!;

        public ValueTask Start(WsgiApplication app, IWsgiExchange exchange, long enqueued, long arrived, Lane lane)
        {
            App = app;
            Lane = lane;
            Exchange = exchange;
            Enqueued = enqueued;
            Arrived = arrived;
            return new ValueTask(this, _completion.Version);
        }

        public void Complete(Exception? failure)
        {
            if (failure == null)
            {
                _completion.SetResult(true);
            }
            else
            {
                _completion.SetException(failure);
            }
        }

        public ValueTaskSourceStatus GetStatus(short token) => _completion.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _completion.OnCompleted(continuation, state, token, flags);

        public void GetResult(short token)
        {
            try
            {
                _completion.GetResult(token);
            }
            finally
            {
                // The request is over for its awaiter: free what it held and reuse the item.
                _completion.Reset();
                App = null!;
                Exchange = null!;
                owner.Recycle(this);
            }
        }
    }
}
