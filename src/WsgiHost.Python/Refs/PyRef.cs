using WsgiHost.Python.Interop;

namespace WsgiHost.Python.Refs;

/// <summary>
/// A long-lived strong reference kept in a per-interpreter cache (an interned key, the
/// loaded application callable). It is released explicitly, with that interpreter's GIL
/// held, before the interpreter ends. It has no finalizer on purpose: a finalizer thread
/// cannot take the GIL safely (Python.NET's long-standing pain).
/// </summary>
internal sealed unsafe class PyRef
{
    private nint _handle;

    internal PyRef(nint handle) => _handle = handle;

    public nint Handle => _handle;

    public PyBorrowed Borrow() => new(_handle);

    /// <summary>A new owned reference to the same object, for handing to a stealing API.</summary>
    public PyOwned NewReference() => PyOwned.FromBorrowed(_handle);

    /// <summary>Drops the reference. The GIL of the owning interpreter must be held.</summary>
    public void Release()
    {
        nint h = _handle;
        if (h != 0)
        {
            _handle = 0;
            LibPython.Py_DecRef(h);
        }
    }
}
