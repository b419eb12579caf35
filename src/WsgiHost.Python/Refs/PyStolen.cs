namespace WsgiHost.Python.Refs;

/// <summary>A reference in transit to a C API function that steals it (PyTuple_SetItem).</summary>
internal readonly ref struct PyStolen
{
    public PyStolen(nint handle) => Handle = handle;

    public nint Handle { get; }
}
