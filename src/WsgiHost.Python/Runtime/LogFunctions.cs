using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using WsgiHost.Python.Interop;
using WsgiHost.Python.Refs;

namespace WsgiHost.Python.Runtime;

/// <summary>`_wsgihost._log(level, line)`: where sys.stdout, sys.stderr and wsgi.errors end up.</summary>
internal static unsafe class LogFunctions
{
    private static IErrorLog? s_log;

    internal static IErrorLog Log => s_log ?? throw new InvalidOperationException("the error log is not set");

    internal static void SetLog(IErrorLog log) => s_log = log;

    private static readonly (string Name, nint Def)[] s_definitions =
    [
        ("_log", Bootstrap.MethodDef("_log", (nint)(delegate* unmanaged<nint, nint, nint>)&WriteLine, PyMethodDef.METH_VARARGS)),
        ("_log_flush", Bootstrap.MethodDef("_log_flush", (nint)(delegate* unmanaged<nint, nint, nint>)&Flush, PyMethodDef.METH_NOARGS)),
    ];

    public static IReadOnlyList<(string Name, nint Def)> Definitions() => s_definitions;

    [UnmanagedCallersOnly]
    private static nint WriteLine(nint self, nint args)
    {
        try
        {
            var tuple = new PyBorrowed(args);
            string level = Py.ToText(Py.TupleItem(tuple, 0));
            string text = Py.Utf8Text(Py.TupleItem(tuple, 1));
            Log.Write(Parse(level), "wsgi", text);
            LibPython.Py_IncRef(LibPython.Py_None);
            return LibPython.Py_None;
        }
        catch (Exception e)
        {
            // An exception must never unwind into CPython's frames.
            Py.SetError(LibPython.PyExc_RuntimeError, "wsgihost log failed: " + e.Message);
            return 0;
        }
    }

    /// <summary>`_wsgihost._log_flush()`: waits, without the GIL, until the lines logged so far are written out.</summary>
    [UnmanagedCallersOnly]
    private static nint Flush(nint self, nint args)
    {
        try
        {
            using (GilScope.Release())
            {
                Log.Flush();
            }
            LibPython.Py_IncRef(LibPython.Py_None);
            return LibPython.Py_None;
        }
        catch (Exception e)
        {
            Py.SetError(LibPython.PyExc_RuntimeError, "wsgihost log flush failed: " + e.Message);
            return 0;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ErrorLogLevel Parse(string level) => level switch
    {
        "debug" => ErrorLogLevel.Debug,
        "info" => ErrorLogLevel.Info,
        "warning" => ErrorLogLevel.Warning,
        _ => ErrorLogLevel.Error,
    };
}
