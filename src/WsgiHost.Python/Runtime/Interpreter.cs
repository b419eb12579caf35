using System.Collections.Concurrent;
using WsgiHost.Python.Interop;
using WsgiHost.Python.Refs;

namespace WsgiHost.Python.Runtime;

/// <summary>
/// One Python interpreter (the main one, or a sub-interpreter per application group)
/// and everything cached for it. A PyObject never crosses interpreters, so every cached
/// object lives here and is released before the interpreter ends.
/// </summary>
internal sealed unsafe class Interpreter
{
    /// <summary>Upper bound on interpreters per process; a slot is never reused.</summary>
    internal const int MaxSlots = 256;

    private static int s_nextSlot;

    [ThreadStatic]
    private static nint[]? t_threadStates;

    private readonly ConcurrentQueue<nint> _threadStates = new();
    private const int ValueCacheLimit = 1024;
    private const int CachedValueMaxLength = 32;

    private readonly Dictionary<string, PyRef> _interned = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PyRef> _values = new(StringComparer.Ordinal);
    private readonly List<PyRef> _held = [];

    internal Interpreter(string name, nint state, nint creatorThreadState)
    {
        Name = name;
        State = state;
        CreatorThreadState = creatorThreadState;
        Slot = Interlocked.Increment(ref s_nextSlot) - 1;
        if (Slot >= MaxSlots)
        {
            throw new InvalidOperationException($"more than {MaxSlots} interpreters in one process");
        }
        (t_threadStates ??= new nint[MaxSlots])[Slot] = creatorThreadState;
    }

    /// <summary>The application group name; "" is the main interpreter (%{GLOBAL}).</summary>
    public string Name { get; }

    /// <summary>PyInterpreterState*.</summary>
    public nint State { get; }

    public int Slot { get; }

    /// <summary>The thread state it was created with, on python-main (used to end it).</summary>
    internal nint CreatorThreadState { get; }

    /// <summary>Created with a GIL of its own (PEP 684): python-main must let the main GIL go before taking this one.</summary>
    internal bool OwnGil { get; init; }

    /// <summary>
    /// 0 for an application group's own interpreter; from 1, one of the extra interpreters
    /// (own GIL) that WSGIApplicationInterpreters gives the group's applications.
    /// </summary>
    internal int Replica { get; init; }

    /// <summary>The application group's name as a configuration writes it: %{GLOBAL} for the main interpreter's "".</summary>
    internal string GroupLabel => Name.Length == 0 ? "%{GLOBAL}" : Name;

    /// <summary>The bootstrap module's objects in this interpreter; set once at creation.</summary>
    public Bootstrap Bootstrap { get; internal set; } = null!;

    /// <summary>
    /// This OS thread's PyThreadState for this interpreter, created once and reused:
    /// PyGILState_Ensure would create and destroy one per request (12-16 µs, an mmap/munmap
    /// each) and is broken with sub-interpreters.
    /// </summary>
    internal nint ThreadStateForCurrentThread()
    {
        nint[] states = t_threadStates ??= new nint[MaxSlots];
        nint ts = states[Slot];
        if (ts == 0)
        {
            ts = LibPython.PyThreadState_New(State);
            if (ts == 0)
            {
                throw new InvalidOperationException($"cannot create a thread state for interpreter '{Name}'");
            }
            states[Slot] = ts;
            _threadStates.Enqueue(ts);
        }
        return ts;
    }

    /// <summary>An interned str kept for the interpreter's life (environ keys). GIL held.</summary>
    public PyBorrowed InternedKey(string key)
    {
        if (!_interned.TryGetValue(key, out PyRef? value))
        {
            value = Py.Intern(key).Keep();
            _interned[key] = value;
        }
        return value.Borrow();
    }

    /// <summary>
    /// A latin-1 str for an environ value. Short values repeat from request to request
    /// ("GET", "HTTP/1.1", "127.0.0.1", the Host), so up to a bounded number of them are
    /// kept (str is immutable) instead of being built and freed every time. GIL held.
    /// </summary>
    public PyOwned EnvironValue(string value) =>
        TryCachedValue(value, out PyBorrowed cached) ? PyOwned.FromBorrowed(cached.Handle) : Py.Latin1(value);

    /// <summary>
    /// The kept str for <paramref name="value"/> (kept now if there is room): valid until the
    /// interpreter ends. False for a long value or a full cache. GIL held.
    /// </summary>
    public bool TryCachedValue(string value, out PyBorrowed cached)
    {
        if (value.Length > CachedValueMaxLength)
        {
            cached = default;
            return false;
        }
        if (!_values.TryGetValue(value, out PyRef? kept))
        {
            if (_values.Count >= ValueCacheLimit)
            {
                cached = default;
                return false;
            }
            kept = Py.Latin1(value).Keep();
            _values[value] = kept;
        }
        cached = kept.Borrow();
        return true;
    }

    /// <summary>Keeps a reference alive until the interpreter ends. GIL held.</summary>
    public PyRef Hold(PyRef reference)
    {
        lock (_held)
        {
            _held.Add(reference);
        }
        return reference;
    }

    /// <summary>
    /// mod_wsgi.subscribe_shutdown's callbacks (bootstrap.py's process_stopping), before the
    /// interpreter's own shutdown waits for the app's non-daemon threads.
    /// </summary>
    private void RunShutdownCallbacks()
    {
        if (Bootstrap == null)
        {
            return;
        }
        using var stopping = Py.GetAttrOrNull(Bootstrap.Module.Borrow(), "process_stopping");
        if (stopping.IsNull)
        {
            return;
        }
        nint result = LibPython.PyObject_CallObject(stopping.Handle, 0);
        if (result == 0)
        {
            LibPython.PyErr_Clear();
        }
        else
        {
            LibPython.Py_DecRef(result);
        }
    }

    /// <summary>
    /// Drops cached objects and deletes other threads' thread states, with this thread's
    /// state current. Ending an interpreter while another thread state exists aborts the
    /// process ("Py_EndInterpreter: not the last thread").
    /// </summary>
    internal void ReleaseForShutdown(nint currentThreadState)
    {
        RunShutdownCallbacks();
        foreach (PyRef r in _interned.Values)
        {
            r.Release();
        }
        _interned.Clear();
        foreach (PyRef r in _values.Values)
        {
            r.Release();
        }
        _values.Clear();
        foreach (PyRef r in _held)
        {
            r.Release();
        }
        _held.Clear();
        Bootstrap?.Release();
        while (_threadStates.TryDequeue(out nint ts))
        {
            if (ts != currentThreadState)
            {
                LibPython.PyThreadState_Clear(ts);
                LibPython.PyThreadState_Delete(ts);
            }
        }
    }
}
