namespace WsgiHost.Python.Refs;

/// <summary>
/// A reference someone else owns, valid only until the current call returns. It never
/// decrefs; as a ref struct it cannot be stored past the call that lent it.
/// </summary>
internal readonly ref struct PyBorrowed
{
    public PyBorrowed(nint handle) => Handle = handle;

    public nint Handle { get; }

    public bool IsNull => Handle == 0;
}
