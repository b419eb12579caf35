using System.Runtime.InteropServices;

namespace WsgiHost.Python.Interop;

/// <summary>The stable-ABI PyMethodDef; instances live in native memory for the process lifetime.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PyMethodDef
{
    public nint Name;
    public nint Method;
    public int Flags;
    public nint Doc;

    public const int METH_VARARGS = 0x0001;
    public const int METH_KEYWORDS = 0x0002;
    public const int METH_NOARGS = 0x0004;
    public const int METH_O = 0x0008;
}
