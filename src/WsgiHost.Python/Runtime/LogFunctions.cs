using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using WsgiHost.Python.Interop;
using WsgiHost.Python.Refs;

namespace WsgiHost.Python.Runtime;

/// <summary>
/// `_wsgihost._log(level, line)`, `_log_write(stream, level, text)` and `_log_flush(stream)`:
/// where sys.stdout, sys.stderr and wsgi.errors end up. A line written on a thread that is
/// running a request goes to that request's log (its virtual host's ErrorLog) and names its
/// client, as mod_wsgi's per-request Log object does; other lines go to the server's log.
/// </summary>
internal static unsafe class LogFunctions
{
    private static IErrorLog? s_log;

    /// <summary>The log of the request this thread runs, if it runs one.</summary>
    [ThreadStatic]
    private static IErrorLog? t_requestLog;

    /// <summary>The request this thread runs, for its client's address (read only when a line is written).</summary>
    [ThreadStatic]
    private static Wsgi.IWsgiExchange? t_request;

    /// <summary>This thread's unfinished line of sys.stdout (0) and of sys.stderr and wsgi.errors (1).</summary>
    [ThreadStatic]
    private static System.Text.StringBuilder?[]? t_pending;

    internal static IErrorLog Log => s_log ?? throw new InvalidOperationException("the error log is not set");

    internal static void SetLog(IErrorLog log) => s_log = log;

    private static readonly (string Name, nint Def)[] s_definitions =
    [
        ("_log", Bootstrap.MethodDef("_log", (nint)(delegate* unmanaged<nint, nint, nint>)&WriteLine, PyMethodDef.METH_VARARGS)),
        ("_log_write", Bootstrap.MethodDef("_log_write", (nint)(delegate* unmanaged<nint, nint, nint>)&Write, PyMethodDef.METH_VARARGS)),
        ("_log_flush", Bootstrap.MethodDef("_log_flush", (nint)(delegate* unmanaged<nint, nint, nint>)&Flush, PyMethodDef.METH_O)),
    ];

    public static IReadOnlyList<(string Name, nint Def)> Definitions() => s_definitions;

    /// <summary>From here until <see cref="EndRequest"/>, what this thread logs is the request's.</summary>
    public static void BeginRequest(IErrorLog log, Wsgi.IWsgiExchange exchange)
    {
        t_requestLog = log;
        t_request = exchange;
    }

    /// <summary>The request is done: its unfinished lines go out under it (as Apache flushes a request's log object at its end).</summary>
    public static void EndRequest()
    {
        if (t_pending is { } pending)
        {
            for (int stream = 0; stream < pending.Length; stream++)
            {
                FlushPending(pending, stream, ErrorLogLevel.Error);
            }
        }
        t_requestLog = null;
        t_request = null;
    }

    private static void Emit(ErrorLogLevel level, string line)
    {
        if (t_requestLog is { } log && t_request is { } request)
        {
            log.Write(level, "wsgi", $"[client {request.ClientForLog}] {line}");
        }
        else
        {
            Log.Write(level, "wsgi", line);
        }
    }

    private static void FlushPending(System.Text.StringBuilder?[] pending, int stream, ErrorLogLevel level)
    {
        if (pending[stream] is { Length: > 0 } partial)
        {
            string line = partial.ToString();
            partial.Clear();
            Emit(level, line);
        }
    }

    [UnmanagedCallersOnly]
    private static nint WriteLine(nint self, nint args)
    {
        try
        {
            var tuple = new PyBorrowed(args);
            string level = Py.ToText(Py.TupleItem(tuple, 0));
            string text = Py.Utf8Text(Py.TupleItem(tuple, 1));
            Emit(Parse(level), text);
            return None();
        }
        catch (Exception e)
        {
            return Failed("log", e);
        }
    }

    /// <summary>A stream's write: each complete line is an entry; the rest waits in this thread's buffer for its newline.</summary>
    [UnmanagedCallersOnly]
    private static nint Write(nint self, nint args)
    {
        try
        {
            var tuple = new PyBorrowed(args);
            int stream = Py.AsLong(Py.TupleItem(tuple, 0)) == 0 ? 0 : 1;
            ErrorLogLevel level = Parse(Py.ToText(Py.TupleItem(tuple, 1)));
            string text = Py.Utf8Text(Py.TupleItem(tuple, 2));
            System.Text.StringBuilder?[] pending = t_pending ??= new System.Text.StringBuilder?[2];
            int start = 0;
            int newline;
            while ((newline = text.IndexOf('\n', start)) >= 0)
            {
                if (pending[stream] is { Length: > 0 } partial)
                {
                    partial.Append(text, start, newline - start);
                    FlushPending(pending, stream, level);
                }
                else
                {
                    Emit(level, text[start..newline]);
                }
                start = newline + 1;
            }
            if (start < text.Length)
            {
                (pending[stream] ??= new System.Text.StringBuilder()).Append(text, start, text.Length - start);
            }
            return None();
        }
        catch (Exception e)
        {
            return Failed("log", e);
        }
    }

    /// <summary>`_wsgihost._log_flush(stream)`: the stream's unfinished line of this thread as an entry, then waits, without the GIL, until the lines logged so far are written out.</summary>
    [UnmanagedCallersOnly]
    private static nint Flush(nint self, nint stream)
    {
        try
        {
            if (t_pending is { } pending)
            {
                FlushPending(pending, Py.AsLong(new PyBorrowed(stream)) == 0 ? 0 : 1, ErrorLogLevel.Error);
            }
            IErrorLog log = t_requestLog ?? Log;
            using (GilScope.Release())
            {
                log.Flush();
            }
            return None();
        }
        catch (Exception e)
        {
            return Failed("log flush", e);
        }
    }

    private static nint None()
    {
        LibPython.Py_IncRef(LibPython.Py_None);
        return LibPython.Py_None;
    }

    /// <summary>The exception as a Python RuntimeError: one must never unwind into CPython's frames.</summary>
    private static nint Failed(string what, Exception e)
    {
        Py.SetError(LibPython.PyExc_RuntimeError, $"wsgihost {what} failed: {e.Message}");
        return 0;
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
