namespace WsgiHost.Python.Interop;

internal static unsafe partial class LibPython
{
    public static delegate* unmanaged<nint> PyDict_New;
    public static delegate* unmanaged<nint, nint> PyDict_Copy;
    public static delegate* unmanaged<nint, nint, nint, int> PyDict_SetItem;
    public static delegate* unmanaged<nint, byte*, nint, int> PyDict_SetItemString;
    public static delegate* unmanaged<nint, byte*, nint> PyDict_GetItemString;
    public static delegate* unmanaged<nint, nint> PyTuple_New;
    public static delegate* unmanaged<nint, nint, nint, int> PyTuple_SetItem;
    public static delegate* unmanaged<nint, nint, nint> PyTuple_GetItem;
    public static delegate* unmanaged<nint, nint> PyTuple_Size;
    public static delegate* unmanaged<nint, nint> PyList_Size;
    public static delegate* unmanaged<nint, nint, nint> PyList_GetItem;
    public static delegate* unmanaged<nint, nint> PyObject_Size;

    private static void ResolveContainers()
    {
        PyDict_New = (delegate* unmanaged<nint>)Required(nameof(PyDict_New));
        PyDict_Copy = (delegate* unmanaged<nint, nint>)Required(nameof(PyDict_Copy));
        PyDict_SetItem = (delegate* unmanaged<nint, nint, nint, int>)Required(nameof(PyDict_SetItem));
        PyDict_SetItemString = (delegate* unmanaged<nint, byte*, nint, int>)Required(nameof(PyDict_SetItemString));
        PyDict_GetItemString = (delegate* unmanaged<nint, byte*, nint>)Required(nameof(PyDict_GetItemString));
        PyTuple_New = (delegate* unmanaged<nint, nint>)Required(nameof(PyTuple_New));
        PyTuple_SetItem = (delegate* unmanaged<nint, nint, nint, int>)Required(nameof(PyTuple_SetItem));
        PyTuple_GetItem = (delegate* unmanaged<nint, nint, nint>)Required(nameof(PyTuple_GetItem));
        PyTuple_Size = (delegate* unmanaged<nint, nint>)Required(nameof(PyTuple_Size));
        PyList_Size = (delegate* unmanaged<nint, nint>)Required(nameof(PyList_Size));
        PyList_GetItem = (delegate* unmanaged<nint, nint, nint>)Required(nameof(PyList_GetItem));
        PyObject_Size = (delegate* unmanaged<nint, nint>)Required(nameof(PyObject_Size));
    }
}
