using WsgiHost.Python.Interop;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Python.Refs;

/// <summary>
/// Owns exactly one strong reference for the length of a GIL scope. Being a ref struct it
/// cannot be stored on the heap or cross an await; it is disposed (decref) while the GIL is
/// still held. Hand the reference on with <see cref="Steal"/> (to an API that steals) or
/// <see cref="Keep"/> (to a long-lived <see cref="PyRef"/>).
/// </summary>
internal unsafe ref struct PyOwned
{
    private nint _handle;

    private PyOwned(nint handle) => _handle = handle;

    /// <summary>Takes ownership of a new reference returned by the C API; NULL throws the pending Python error.</summary>
    public static PyOwned New(nint handle)
    {
        if (handle == 0)
        {
            throw PythonException.FetchCurrent();
        }
        return new PyOwned(handle);
    }

    /// <summary>Takes ownership of a new reference that may be NULL without an error (PyIter_Next at the end).</summary>
    public static PyOwned NewOrNull(nint handle) => new(handle);

    /// <summary>Adds a reference to a borrowed object and owns it.</summary>
    public static PyOwned FromBorrowed(nint handle)
    {
        LibPython.Py_IncRef(handle);
        return new PyOwned(handle);
    }

    public readonly nint Handle => _handle;

    public readonly bool IsNull => _handle == 0;

    public readonly PyBorrowed Borrow() => new(_handle);

    /// <summary>Gives the reference away to a C API function that steals it; this handle becomes empty.</summary>
    public PyStolen Steal()
    {
        nint h = _handle;
        _handle = 0;
        return new PyStolen(h);
    }

    /// <summary>Moves the reference into a long-lived holder; this handle becomes empty.</summary>
    public PyRef Keep()
    {
        nint h = _handle;
        _handle = 0;
        return new PyRef(h);
    }

    public void Dispose()
    {
        nint h = _handle;
        if (h != 0)
        {
            _handle = 0;
            LibPython.Py_DecRef(h);
        }
    }
}
