using System.Diagnostics;

namespace WsgiHost.Daemon;

/// <summary>
/// A daemon group's capacity (processes x threads): a request goes to a worker only while one
/// of its threads is free; the others wait here in arrival order, up to queue-timeout
/// (mod_wsgi's queue in front of the daemon sockets). As mod_wsgi's listen-backlog bounds
/// that queue (the daemon socket's backlog; a request that finds it full retries its connect
/// for connect-timeout, then gets 503), only the first listen-backlog waiters may wait on; one
/// further back that has not moved up into them within connect-timeout is turned away.
/// <para>
/// A place that frees goes straight to the oldest waiter, whose request then continues on the
/// thread that freed it (the one that just finished a response). SemaphoreSlim.WaitAsync, used
/// before, resumed each waiter on the thread pool: one more thread wake-up for every queued
/// request, and a timer and a registration for each wait. Under a load of twice the group's
/// threads (the benchmark's 32 connections to 2 x 8 threads) half of all requests wait.
/// </para>
/// </summary>
internal sealed class RequestGate : IDisposable
{
    private readonly Lock _lock = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly long _timeoutTicks;
    private readonly int _backlog;
    private readonly long _connectTicks;
    private readonly Timer? _expiry;
    private int _free;

    /// <param name="capacity">How many requests may be in the workers at once.</param>
    /// <param name="queueTimeout">How long a request may wait; infinite for no limit.</param>
    /// <param name="backlog">How many requests may wait (listen-backlog); int.MaxValue for no limit.</param>
    /// <param name="connectTimeout">How long a request beyond the backlog may wait to move up into it (connect-timeout).</param>
    public RequestGate(int capacity, TimeSpan queueTimeout, int backlog = int.MaxValue, TimeSpan connectTimeout = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _free = capacity;
        _backlog = backlog;
        _connectTicks = (long)(connectTimeout.TotalSeconds * Stopwatch.Frequency);
        var periods = new List<double>();
        if (queueTimeout != Timeout.InfiniteTimeSpan)
        {
            _timeoutTicks = (long)(queueTimeout.TotalSeconds * Stopwatch.Frequency);
            periods.Add(queueTimeout.TotalMilliseconds);
        }
        if (backlog != int.MaxValue)
        {
            periods.Add(connectTimeout.TotalMilliseconds);
        }
        if (periods.Count > 0)
        {
            // One timer for the whole queue, not one per waiter: the oldest waiters are first.
            var period = TimeSpan.FromMilliseconds(Math.Clamp(periods.Min() / 10, 10, 250));
            _expiry = new Timer(_ => Expire(), null, period, period);
        }
    }

    /// <summary>Requests waiting for a place.</summary>
    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _waiters.Count;
            }
        }
    }

    /// <summary>
    /// <see cref="GateEntry.Entered"/> once the request has a place (it must then call
    /// <see cref="Exit"/>); else why it has none.
    /// </summary>
    /// <exception cref="OperationCanceledException">The client went away while the request waited.</exception>
    public ValueTask<GateEntry> EnterAsync(CancellationToken aborted)
    {
        Waiter waiter;
        lock (_lock)
        {
            if (_free > 0)
            {
                _free--;
                return ValueTask.FromResult(GateEntry.Entered);
            }
            waiter = new Waiter(this);
            waiter.Node = _waiters.AddLast(waiter);
        }
        if (aborted.CanBeCanceled)
        {
            waiter.Registration = aborted.UnsafeRegister(static (state, token) => ((Waiter)state!).Leave(canceled: token), waiter);
        }
        return new ValueTask<GateEntry>(waiter.Task);
    }

    /// <summary>Gives the place back: to the oldest waiter, whose request continues on this thread.</summary>
    public void Exit()
    {
        Waiter? next;
        lock (_lock)
        {
            next = _waiters.First?.Value;
            if (next == null)
            {
                _free++;
                return;
            }
            _waiters.RemoveFirst();
            next.Node = null;
        }
        next.Registration.Unregister();
        next.TrySetResult(GateEntry.Entered);
    }

    /// <summary>
    /// Ends the waits older than queue-timeout (each gets a 504 from its caller), and those
    /// still beyond the backlog after connect-timeout (503).
    /// </summary>
    private void Expire()
    {
        long now = Stopwatch.GetTimestamp();
        List<(Waiter Waiter, GateEntry Why)>? ended = null;
        lock (_lock)
        {
            while (_timeoutTicks > 0 && _waiters.First?.Value is { } oldest && now - oldest.Enqueued >= _timeoutTicks)
            {
                _waiters.RemoveFirst();
                oldest.Node = null;
                (ended ??= []).Add((oldest, GateEntry.QueueTimeout));
            }
            if (_waiters.Count > _backlog)
            {
                LinkedListNode<Waiter>? node = _waiters.First;
                for (int i = 0; i < _backlog; i++)
                {
                    node = node!.Next;
                }
                // In arrival order: past the first one still within connect-timeout, all are.
                while (node != null && now - node.Value.Enqueued >= _connectTicks)
                {
                    LinkedListNode<Waiter>? next = node.Next;
                    _waiters.Remove(node);
                    node.Value.Node = null;
                    (ended ??= []).Add((node.Value, GateEntry.NoRoom));
                    node = next;
                }
            }
        }
        foreach ((Waiter w, GateEntry why) in ended ?? [])
        {
            w.Registration.Unregister();
            w.TrySetResult(why);
        }
    }

    public void Dispose() => _expiry?.Dispose();

    /// <summary>
    /// One waiting request. Its continuation runs synchronously on whichever thread completes it
    /// (no RunContinuationsAsynchronously): that is the point of the gate.
    /// </summary>
    private sealed class Waiter(RequestGate gate) : TaskCompletionSource<GateEntry>
    {
        public long Enqueued { get; } = Stopwatch.GetTimestamp();

        /// <summary>The waiter's place in the queue; null once it left (changed under the gate's lock).</summary>
        public LinkedListNode<Waiter>? Node { get; set; }

        public CancellationTokenRegistration Registration { get; set; }

        /// <summary>The client went away: leaves the queue unless a place was already handed over.</summary>
        public void Leave(CancellationToken canceled)
        {
            lock (gate._lock)
            {
                if (Node == null)
                {
                    return;
                }
                gate._waiters.Remove(Node);
                Node = null;
            }
            TrySetCanceled(canceled);
        }
    }
}

/// <summary>How a request's wait at a <see cref="RequestGate"/> ended.</summary>
internal enum GateEntry
{
    /// <summary>It has a place in the workers.</summary>
    Entered,

    /// <summary>queue-timeout passed first (504).</summary>
    QueueTimeout,

    /// <summary>listen-backlog requests waited before it, and it did not move up into them within connect-timeout (503).</summary>
    NoRoom,
}
