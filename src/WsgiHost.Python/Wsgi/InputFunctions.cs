using System.Runtime.InteropServices;
using WsgiHost.Python.Interop;
using WsgiHost.Python.Refs;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Python.Wsgi;

/// <summary>
/// `_wsgihost._input_read(rid, size)` and `_input_readline(rid, size)`, behind wsgi.input.
/// Reading blocks on the network, so the GIL is released for it.
/// </summary>
internal static unsafe class InputFunctions
{
    private static readonly (string Name, nint Def)[] s_definitions =
    [
        ("_input_read", Bootstrap.MethodDef("_input_read", (nint)(delegate* unmanaged<nint, nint, nint>)&Read, PyMethodDef.METH_VARARGS)),
        ("_input_readline", Bootstrap.MethodDef("_input_readline", (nint)(delegate* unmanaged<nint, nint, nint>)&ReadLine, PyMethodDef.METH_VARARGS)),
    ];

    public static IReadOnlyList<(string Name, nint Def)> Definitions() => s_definitions;

    [UnmanagedCallersOnly]
    private static nint Read(nint self, nint args) => Run(args, line: false);

    [UnmanagedCallersOnly]
    private static nint ReadLine(nint self, nint args) => Run(args, line: true);

    private static nint Run(nint args, bool line)
    {
        try
        {
            var tuple = new PyBorrowed(args);
            long id = Py.AsLong(Py.TupleItem(tuple, 0));
            long size = Py.AsLong(Py.TupleItem(tuple, 1));
            WsgiRequest? request = RequestRegistry.Find(id);
            if (request == null)
            {
                Py.SetError(LibPython.PyExc_RuntimeError, "wsgi.input used after its request finished");
                return 0;
            }
            try
            {
                if (!line && DirectLength(request.Input, size) is int length)
                {
                    return ReadDirect(request.Input, length);
                }
                ReadOnlySpan<byte> data;
                using (GilScope.Release())
                {
                    data = line ? request.Input.ReadLine(size) : request.Input.Read(size);
                }
                return Py.Bytes(data).Steal().Handle;
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or OperationCanceledException || e.GetType().Name == "BadHttpRequestException")
            {
                Py.SetError(LibPython.PyExc_OSError, "request data read error: " + e.Message);
                return 0;
            }
        }
        catch (PythonException e)
        {
            Py.SetError(LibPython.PyExc_RuntimeError, e.Message);
            return 0;
        }
        catch (Exception e)
        {
            Py.SetError(LibPython.PyExc_OSError, "request data read error: " + e.Message);
            return 0;
        }
    }

    /// <summary>
    /// The largest bytes object allocated before its bytes arrive: a request may declare a
    /// Content-Length it never sends, and read(n) may ask for more than a chunked body holds,
    /// so larger reads take the buffered path, which holds only what has come.
    /// </summary>
    private const int MaxDirect = 4 * 1024 * 1024;

    /// <summary>
    /// The size of the bytes object read(size) returns, when it can be allocated before the
    /// read: the size asked for, capped by what is left of a body of known length; or null.
    /// </summary>
    private static int? DirectLength(InputReader input, long size)
    {
        long want = input.Unread is long left ? (size < 0 ? left : Math.Min(size, left)) : size;
        return want is >= 0 and <= MaxDirect ? (int)want : null;
    }

    /// <summary>
    /// read(n) straight into a new bytes object, with the GIL released while the body arrives:
    /// the bytes are copied once from the transport to Python (a 1 MiB upload read in 64 KiB
    /// pieces was copied three times on the buffered path, 19% of the server's CPU in perf).
    /// A read cut short by the end of the body returns a copy of what came.
    /// </summary>
    private static nint ReadDirect(InputReader input, int length)
    {
        using PyOwned bytes = Py.NewBytes(length, out Span<byte> contents);
        int n;
        using (GilScope.Release())
        {
            n = input.ReadInto(contents);
        }
        return n == length ? bytes.Steal().Handle : Py.Bytes(contents[..n]).Steal().Handle;
    }
}
