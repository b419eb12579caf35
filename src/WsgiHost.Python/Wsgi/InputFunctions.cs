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
            ReadOnlySpan<byte> data;
            try
            {
                using (GilScope.Release())
                {
                    data = line ? request.Input.ReadLine(size) : request.Input.Read(size);
                }
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or OperationCanceledException || e.GetType().Name == "BadHttpRequestException")
            {
                Py.SetError(LibPython.PyExc_OSError, "request data read error: " + e.Message);
                return 0;
            }
            return Py.Bytes(data).Steal().Handle;
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
}
