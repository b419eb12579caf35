using System.Runtime.InteropServices;
using WsgiHost.Python.Interop;

namespace WsgiHost.Python.Runtime;

/// <summary>
/// Parks one thread until another unparks it, each park matched by one unpark. On Linux it is
/// a futex word of its own: a park that finds its unpark already done costs no system call,
/// and otherwise the pair costs one wait and one wake. Monitor.Wait and Pulse, which it
/// replaces, go through the runtime's wait subsystem: a lock shared by every waiting thread of
/// the process plus a condition variable per thread, 3 to 4 futex calls a wait under load
/// (1 MiB uploads, embedded, 8 WSGI threads: perf showed the WSGI threads contending for that
/// lock in <c>lll_lock_wake</c>). Elsewhere, a monitor.
/// </summary>
internal sealed unsafe class ThreadParker
{
    private const int Empty = 0;
    private const int Notified = 1;
    private const int Parked = -1;

    /// <summary>On the pinned heap: the kernel keys a futex by the word's address, which must not move.</summary>
    private readonly int[]? _pinned;
    private readonly int* _word;
    private readonly object _gate = new();
    private bool _notified;

    public ThreadParker()
        : this(Futex.IsSupported)
    {
    }

    /// <param name="futex">False: the monitor, as where futex(2) is missing (tests run both).</param>
    internal ThreadParker(bool futex)
    {
        if (futex)
        {
            _pinned = GC.AllocateArray<int>(1, pinned: true);
            _word = (int*)Marshal.UnsafeAddrOfPinnedArrayElement(_pinned, 0);
        }
    }

    /// <summary>Blocks until <see cref="Unpark"/> (returns at once if it came first).</summary>
    public void Park()
    {
        if (_word == null)
        {
            lock (_gate)
            {
                while (!_notified)
                {
                    Monitor.Wait(_gate);
                }
                _notified = false;
            }
            return;
        }
        // Empty -> Parked, or Notified -> Empty: the unpark came first.
        if (Interlocked.Decrement(ref *_word) == Empty)
        {
            return;
        }
        while (true)
        {
            Futex.Wait(_word, Parked);
            if (Interlocked.CompareExchange(ref *_word, Empty, Notified) == Notified)
            {
                return;
            }
        }
    }

    /// <summary>Lets the parked thread go (or the next park return at once). Never blocks.</summary>
    public void Unpark()
    {
        if (_word == null)
        {
            lock (_gate)
            {
                _notified = true;
                Monitor.Pulse(_gate);
            }
            return;
        }
        if (Interlocked.Exchange(ref *_word, Notified) == Parked)
        {
            Futex.WakeOne(_word);
        }
    }
}
