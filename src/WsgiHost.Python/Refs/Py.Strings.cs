using System.Buffers;
using System.Text;
using WsgiHost.Python.Interop;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Python.Refs;

/// <summary>Typed wrappers over the C API: every result states its ownership. The GIL must be held.</summary>
internal static unsafe partial class Py
{
    private const int StackLimit = 512;

    /// <summary>A WSGI native string: each char must be latin-1 (callers pass header and CGI values).</summary>
    public static PyOwned Latin1(string value) => Latin1(value.AsSpan());

    public static PyOwned Latin1(ReadOnlySpan<char> value)
    {
        byte[]? rented = null;
        Span<byte> buffer = value.Length <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(value.Length));
        try
        {
            // Chars above U+00FF cannot occur in values that came off the wire as latin-1;
            // anything else is replaced rather than failing the request.
            int n = Encoding.Latin1.GetBytes(value, buffer);
            fixed (byte* p = buffer)
            {
                return PyOwned.New(LibPython.PyUnicode_DecodeLatin1(p, n, null));
            }
        }
        finally
        {
            if (rented != null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>A text string (file system paths, messages) as UTF-8.</summary>
    public static PyOwned Utf8(string value)
    {
        int max = Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[]? rented = null;
        Span<byte> buffer = max <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            int n = Encoding.UTF8.GetBytes(value, buffer);
            fixed (byte* p = buffer)
            {
                return PyOwned.New(LibPython.PyUnicode_FromStringAndSize(p, n));
            }
        }
        finally
        {
            if (rented != null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    public static PyOwned Intern(string value)
    {
        byte[] bytes = NulTerminated(value);
        fixed (byte* p = bytes)
        {
            return PyOwned.New(LibPython.PyUnicode_InternFromString(p));
        }
    }

    public static PyOwned Bytes(ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            return PyOwned.New(LibPython.PyBytes_FromStringAndSize(p, data.Length));
        }
    }

    /// <summary>
    /// A new bytes object of length bytes, uninitialised, for the caller to fill before anyone
    /// else sees it. The span stays valid while the object lives, with or without the GIL: no
    /// other thread can reach an object nobody has been given yet.
    /// </summary>
    public static PyOwned NewBytes(int length, out Span<byte> contents)
    {
        var owned = PyOwned.New(LibPython.PyBytes_FromStringAndSize(null, length));
        byte* buffer;
        nint size;
        LibPython.PyBytes_AsStringAndSize(owned.Handle, &buffer, &size);
        contents = new Span<byte>(buffer, length);
        return owned;
    }

    /// <summary>
    /// The buffer of a bytes object, or false (with the TypeError cleared) when the object is
    /// not bytes. The span is valid while the object is alive and the GIL is held.
    /// </summary>
    public static bool TryGetBytes(PyBorrowed obj, out ReadOnlySpan<byte> data)
    {
        byte* buffer;
        nint length;
        if (LibPython.PyBytes_AsStringAndSize(obj.Handle, &buffer, &length) != 0)
        {
            LibPython.PyErr_Clear();
            data = default;
            return false;
        }
        data = new ReadOnlySpan<byte>(buffer, checked((int)length));
        return true;
    }

    /// <summary>Converts a str to .NET, requiring every code point to be latin-1 (WSGI headers).</summary>
    public static bool TryGetLatin1(PyBorrowed obj, out string value)
    {
        if (!IsExactOrSubtype(obj, LibPython.PyUnicode_Type))
        {
            value = "";
            return false;
        }
        nint encoded = LibPython.PyUnicode_AsLatin1String(obj.Handle);
        if (encoded == 0)
        {
            LibPython.PyErr_Clear();
            value = "";
            return false;
        }
        using var owned = PyOwned.New(encoded);
        TryGetBytes(owned.Borrow(), out var data);
        value = Encoding.Latin1.GetString(data);
        return true;
    }

    /// <summary>str(obj) as .NET text; never throws (a failing __str__ gives a placeholder).</summary>
    public static string ToText(PyBorrowed obj)
    {
        nint s = LibPython.PyObject_Str(obj.Handle);
        if (s == 0)
        {
            LibPython.PyErr_Clear();
            return "<unprintable object>";
        }
        using var str = PyOwned.New(s);
        return Utf8Text(str.Borrow());
    }

    /// <summary>
    /// A str object's text. Lone surrogates (a file name's undecodable bytes, which
    /// os.fsdecode gives as \udcXX) are written as Python escapes: a traceback that names such
    /// a file was one "&lt;undecodable text&gt;" line.
    /// </summary>
    public static string Utf8Text(PyBorrowed str)
    {
        nint b = LibPython.PyUnicode_AsUTF8String(str.Handle);
        if (b == 0)
        {
            LibPython.PyErr_Clear();
            fixed (byte* encoding = "utf-8\0"u8, errors = "backslashreplace\0"u8)
            {
                b = LibPython.PyUnicode_AsEncodedString(str.Handle, encoding, errors);
            }
            if (b == 0)
            {
                LibPython.PyErr_Clear();
                return "<undecodable text>";
            }
        }
        using var bytes = PyOwned.New(b);
        TryGetBytes(bytes.Borrow(), out var data);
        return Encoding.UTF8.GetString(data);
    }

    internal static byte[] NulTerminated(string value)
    {
        byte[] bytes = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        return bytes;
    }
}
