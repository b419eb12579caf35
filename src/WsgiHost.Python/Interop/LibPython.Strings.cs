namespace WsgiHost.Python.Interop;

internal static unsafe partial class LibPython
{
    public static delegate* unmanaged<byte*, nint, nint> PyUnicode_FromStringAndSize;
    public static delegate* unmanaged<byte*, nint, byte*, nint> PyUnicode_DecodeLatin1;
    public static delegate* unmanaged<byte*, nint> PyUnicode_InternFromString;
    public static delegate* unmanaged<nint, nint> PyUnicode_AsLatin1String;
    public static delegate* unmanaged<nint, nint> PyUnicode_AsUTF8String;
    public static delegate* unmanaged<nint, nint*, byte*> PyUnicode_AsUTF8AndSize;
    public static delegate* unmanaged<nint, byte*, byte*, nint> PyUnicode_AsEncodedString;
    public static delegate* unmanaged<byte*, nint, nint> PyBytes_FromStringAndSize;
    public static delegate* unmanaged<nint, byte**, nint*, int> PyBytes_AsStringAndSize;

    private static void ResolveStrings()
    {
        PyUnicode_FromStringAndSize = (delegate* unmanaged<byte*, nint, nint>)Required(nameof(PyUnicode_FromStringAndSize));
        PyUnicode_DecodeLatin1 = (delegate* unmanaged<byte*, nint, byte*, nint>)Required(nameof(PyUnicode_DecodeLatin1));
        PyUnicode_InternFromString = (delegate* unmanaged<byte*, nint>)Required(nameof(PyUnicode_InternFromString));
        PyUnicode_AsLatin1String = (delegate* unmanaged<nint, nint>)Required(nameof(PyUnicode_AsLatin1String));
        PyUnicode_AsUTF8String = (delegate* unmanaged<nint, nint>)Required(nameof(PyUnicode_AsUTF8String));
        PyUnicode_AsUTF8AndSize = (delegate* unmanaged<nint, nint*, byte*>)Required(nameof(PyUnicode_AsUTF8AndSize));
        PyUnicode_AsEncodedString = (delegate* unmanaged<nint, byte*, byte*, nint>)Required(nameof(PyUnicode_AsEncodedString));
        PyBytes_FromStringAndSize = (delegate* unmanaged<byte*, nint, nint>)Required(nameof(PyBytes_FromStringAndSize));
        PyBytes_AsStringAndSize = (delegate* unmanaged<nint, byte**, nint*, int>)Required(nameof(PyBytes_AsStringAndSize));
    }
}
