using WsgiHost.Python.Interop;

namespace WsgiHost.Python.Runtime;

/// <summary>
/// Holds an interpreter's GIL on a thread that is not one of the WSGI threads (a thread-pool
/// thread checking a password with an auth script), with a thread state made for this one
/// call and deleted after it. <see cref="GilScope"/> keeps one thread state per OS thread for
/// good, which suits the WSGI threads that live as long as the server; the thread pool's come
/// and go, and each state left behind would keep its frame stack (16 KiB from the first call)
/// until the interpreter ends. A new state costs some microseconds, nothing beside a Python
/// call. Nested <see cref="GilScope.Acquire"/> for the same interpreter, as a script's load
/// does, only counts.
/// </summary>
internal ref struct TransientGil
{
    private bool _active;

    /// <summary>Takes <paramref name="interpreter"/>'s GIL; the thread must hold none.</summary>
    public static TransientGil Acquire(Interpreter interpreter)
    {
        if (GilScope.Current is { } held)
        {
            throw new InvalidOperationException($"this thread holds interpreter '{held.Name}'; it cannot take interpreter '{interpreter.Name}' too");
        }
        unsafe
        {
            nint ts = LibPython.PyThreadState_New(interpreter.State);
            if (ts == 0)
            {
                throw new InvalidOperationException($"cannot create a thread state for interpreter '{interpreter.Name}'");
            }
            LibPython.PyEval_RestoreThread(ts);
        }
        GilScope.Restore(interpreter, 1);
        return new TransientGil { _active = true };
    }

    public void Dispose()
    {
        if (!_active)
        {
            return;
        }
        _active = false;
        GilScope.Restore(null, 0);
        unsafe
        {
            // Clear while current, then delete it and release the GIL in one step.
            LibPython.PyThreadState_Clear(LibPython.PyThreadState_Get());
            LibPython.PyThreadState_DeleteCurrent();
        }
    }
}
