using System.Diagnostics;

namespace WsgiHost.Daemon;

/// <summary>
/// A daemon group's capacity (processes x threads): a request goes to a worker only while one
/// of its threads is free; the others wait here in arrival order, up to queue-timeout
/// (mod_wsgi's queue in front of the daemon sockets).
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
    private readonly Timer? _expiry;
    private int _free;

    /// <param name="capacity">How many requests may be in the workers at once.</param>
    /// <param name="queueTimeout">How long a request may wait; infinite for no limit.</param>
    public RequestGate(int capacity, TimeSpan queueTimeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _free = capacity;
        if (queueTimeout != Timeout.InfiniteTimeSpan)
        {
            _timeoutTicks = (long)(queueTimeout.TotalSeconds * Stopwatch.Frequency);
            // One timer for the whole queue, not one per waiter: the oldest waiters are first.
            var period = TimeSpan.FromMilliseconds(Math.Clamp(queueTimeout.TotalMilliseconds / 10, 10, 250));
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
    /// True once the request has a place (it must then call <see cref="Exit"/>); false when
    /// queue-timeout passed first.
    /// </summary>
    /// <exception cref="OperationCanceledException">The client went away while the request waited.</exception>
    public ValueTask<bool> EnterAsync(CancellationToken aborted)
    {
        Waiter waiter;
        lock (_lock)
        {
            if (_free > 0)
            {
                _free--;
                return ValueTask.FromResult(true);
            }
            waiter = new Waiter(this);
            waiter.Node = _waiters.AddLast(waiter);
        }
        if (aborted.CanBeCanceled)
        {
            waiter.Registration = aborted.UnsafeRegister(static (state, token) => ((Waiter)state!).Leave(canceled: token), waiter);
        }
        return new ValueTask<bool>(waiter.Task);
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
        next.TrySetResult(true);
    }

    /// <summary>Ends the waits older than queue-timeout (each gets a 504 from its caller).</summary>
    private void Expire()
    {
        long now = Stopwatch.GetTimestamp();
        List<Waiter>? expired = null;
        lock (_lock)
        {
            while (_waiters.First?.Value is { } oldest && now - oldest.Enqueued >= _timeoutTicks)
            {
                _waiters.RemoveFirst();
                oldest.Node = null;
                (expired ??= []).Add(oldest);
            }
        }
        foreach (Waiter w in expired ?? [])
        {
            w.Registration.Unregister();
            w.TrySetResult(false);
        }
    }

    public void Dispose() => _expiry?.Dispose();

    /// <summary>
    /// One waiting request. Its continuation runs synchronously on whichever thread completes it
    /// (no RunContinuationsAsynchronously): that is the point of the gate.
    /// </summary>
    private sealed class Waiter(RequestGate gate) : TaskCompletionSource<bool>
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
