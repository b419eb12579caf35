using WsgiHost.Python.Interop;

namespace WsgiHost.Python.Runtime;

/// <summary>
/// Holds an interpreter's GIL on this thread with the thread's cached thread state. A ref
/// struct, so it cannot live across an await (the GIL belongs to an OS thread). Re-entrant:
/// nested scopes for the same interpreter only count.
/// </summary>
internal ref struct GilScope
{
    [ThreadStatic]
    private static Interpreter? t_current;

    [ThreadStatic]
    private static int t_depth;

    private bool _active;

    public static GilScope Acquire(Interpreter interpreter)
    {
        if (t_current == interpreter)
        {
            t_depth++;
            return new GilScope { _active = true };
        }
        if (t_current != null)
        {
            throw new InvalidOperationException(
                $"this thread holds interpreter '{t_current.Name}'; it cannot nest interpreter '{interpreter.Name}'");
        }
        nint ts = interpreter.ThreadStateForCurrentThread();
        unsafe
        {
            LibPython.PyEval_RestoreThread(ts);
        }
        t_current = interpreter;
        t_depth = 1;
        return new GilScope { _active = true };
    }

    /// <summary>The interpreter whose GIL this thread holds through a scope, if any.</summary>
    public static Interpreter? Current => t_current;

    public void Dispose()
    {
        if (!_active)
        {
            return;
        }
        _active = false;
        if (--t_depth == 0)
        {
            t_current = null;
            unsafe
            {
                LibPython.PyEval_SaveThread();
            }
        }
    }

    /// <summary>
    /// Releases the GIL around a blocking wait (reading the body, flushing to the socket),
    /// then takes it back with the same thread state.
    /// </summary>
    public static GilRelease Release() => GilRelease.Begin(ref t_current, ref t_depth);

    internal static void Restore(Interpreter? interpreter, int depth)
    {
        t_current = interpreter;
        t_depth = depth;
    }
}

/// <summary>The GIL given up for a blocking call; disposing takes it back.</summary>
internal ref struct GilRelease
{
    private nint _threadState;
    private Interpreter? _interpreter;
    private int _depth;

    internal static unsafe GilRelease Begin(ref Interpreter? current, ref int depth)
    {
        var r = new GilRelease { _interpreter = current, _depth = depth };
        current = null;
        depth = 0;
        r._threadState = LibPython.PyEval_SaveThread();
        return r;
    }

    public unsafe void Dispose()
    {
        if (_threadState == 0)
        {
            return;
        }
        LibPython.PyEval_RestoreThread(_threadState);
        _threadState = 0;
        GilScope.Restore(_interpreter, _depth);
    }
}
