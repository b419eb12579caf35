using System.Text;
using WsgiHost.Python.Interop;
using WsgiHost.Python.Refs;

namespace WsgiHost.Python.Wsgi;

/// <summary>
/// The .NET text of start_response's status and headers, per WSGI thread: an app sends the
/// same status and mostly the same header names and values request after request, so each
/// position (the status, then each header's name and value) keeps the last text read there and
/// reuses it when the app's str has the same characters. Reading an ASCII str costs no
/// allocation on either side: its UTF-8 form is the str's own buffer (PyUnicode_AsUTF8AndSize),
/// where the latin-1 route made a bytes object and a .NET string for each of them (a hello
/// request's status and two headers: 5 .NET strings and 5 Python objects).
/// </summary>
/// <remarks>
/// Only .NET strings are kept, never a Python object, so one thread serving several
/// interpreters needs nothing per interpreter. A str with a character above 0x7F takes the
/// latin-1 route every time (it is rare in headers, and the check is on the bytes anyway).
/// </remarks>
internal sealed class ResponseTextCache
{
    /// <summary>The status, then up to 31 header names and values; later headers are read without the cache.</summary>
    private const int Positions = 64;

    [ThreadStatic]
    private static ResponseTextCache? t_instance;

    private readonly string?[] _texts = new string?[Positions];
    private string? _status;
    private int _statusCode;
    private string _statusReason = "";

    /// <summary>This thread's cache.</summary>
    public static ResponseTextCache ForThread => t_instance ??= new ResponseTextCache();

    /// <summary>Position of the status in <see cref="TryGetLatin1"/>.</summary>
    public const int Status = 0;

    /// <summary>Position of header <paramref name="index"/>'s name (its value is the next one).</summary>
    public static int HeaderName(nint index) => index < (Positions - 1) / 2 ? 1 + (2 * (int)index) : Positions;

    /// <summary>
    /// <see cref="Py.TryGetLatin1"/> (false for anything but a str of latin-1 characters), with
    /// the text of the last str read at <paramref name="position"/> reused when equal. GIL held.
    /// </summary>
    public unsafe bool TryGetLatin1(PyBorrowed obj, int position, out string value)
    {
        if (!Py.IsExactOrSubtype(obj, LibPython.PyUnicode_Type))
        {
            value = "";
            return false;
        }
        nint length;
        byte* utf8 = LibPython.PyUnicode_AsUTF8AndSize(obj.Handle, &length);
        if (utf8 == null)
        {
            // Lone surrogates: not encodable, so not latin-1 either; the route below says so.
            LibPython.PyErr_Clear();
            return Py.TryGetLatin1(obj, out value);
        }
        var bytes = new ReadOnlySpan<byte>(utf8, checked((int)length));
        if (!Ascii.IsValid(bytes))
        {
            return Py.TryGetLatin1(obj, out value);
        }
        if (position < Positions && _texts[position] is string last && Ascii.Equals(bytes, last))
        {
            value = last;
            return true;
        }
        value = Encoding.ASCII.GetString(bytes);
        if (position < Positions)
        {
            _texts[position] = value;
        }
        return true;
    }

    /// <summary><see cref="ResponseRules.TryParseStatus"/>, remembering the last status parsed on this thread.</summary>
    public bool TryParseStatus(string status, out int code, out string reason, out string error)
    {
        if (ReferenceEquals(status, _status))
        {
            (code, reason, error) = (_statusCode, _statusReason, "");
            return true;
        }
        if (!ResponseRules.TryParseStatus(status, out code, out reason, out error))
        {
            return false;
        }
        (_status, _statusCode, _statusReason) = (status, code, reason);
        return true;
    }
}
