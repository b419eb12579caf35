using Microsoft.Win32.SafeHandles;
using WsgiHost.Python.Interop;
using WsgiHost.Python.Refs;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Python.Wsgi;

/// <summary>
/// Runs one request through a WSGI application on the calling (WSGI) thread: environ,
/// start_response, iterating the result, close(). Applies PEP 3333 and mod_wsgi's rules:
/// bytes only, Content-Length enforced, HEAD without body, an error before headers is a
/// 500, an error after headers leaves the response visibly incomplete.
/// </summary>
internal static unsafe class WsgiGateway
{
    /// <summary>The mod_wsgi release whose behaviour we follow, reported as mod_wsgi.version.</summary>
    public static readonly Version CompatibleModWsgiVersion = new(5, 0, 0);

    /// <summary><see cref="CompatibleModWsgiVersion"/> as Python's (5, 0, 0): the environ's mod_wsgi.version and the mod_wsgi module's.</summary>
    internal static PyOwned ModWsgiVersionTuple()
    {
        var version = Py.Tuple(3);
        Py.SetTupleItem(version.Borrow(), 0, Py.Long(CompatibleModWsgiVersion.Major).Steal());
        Py.SetTupleItem(version.Borrow(), 1, Py.Long(CompatibleModWsgiVersion.Minor).Steal());
        Py.SetTupleItem(version.Borrow(), 2, Py.Long(CompatibleModWsgiVersion.Build).Steal());
        return version;
    }

    /// <summary>Runs one request; <paramref name="arrived"/> (a Stopwatch timestamp) is when it reached the server, for the script's freshness check.</summary>
    public static void Invoke(WsgiApplication app, IWsgiExchange exchange, long arrived)
    {
        LoadOutcome outcome = app.Script.Ensure(exchange, arrived);
        if (outcome.Status == LoadStatus.Failed && app.Script.IsolationRefused && app.Primary is { } primary)
        {
            // The script cannot load in this extra isolated interpreter: the request that found
            // out is served by the application's first interpreter, not failed. This thread may
            // hold this interpreter's GIL between requests: not while it runs under another.
            using GilRelease held = GilScope.Current != null ? GilScope.Release() : default;
            Invoke(primary, exchange, arrived);
            return;
        }
        if (outcome.Status != LoadStatus.Ready)
        {
            SendError(exchange, outcome.Status == LoadStatus.NotFound ? 404 : 500);
            return;
        }
        WsgiRequest request = RequestRegistry.Register(exchange, app.Interpreter);
        try
        {
            using var gil = GilScope.Acquire(app.Interpreter);
            using var callable = app.Script.TakeCallable();
            if (callable.IsNull)
            {
                SendError(exchange, 500);
                return;
            }
            Run(app, request, callable.Borrow());
        }
        finally
        {
            RequestRegistry.Unregister(request);
            request.Dispose();
        }
    }

    private static void Run(WsgiApplication app, WsgiRequest request, PyBorrowed callable)
    {
        PyOwned result = default;
        nint resultType = 0;
        LogFunctions.BeginRequest(LogOf(app, request), request.Exchange);
        try
        {
            using var requestId = Py.Long(request.Id);
            using var environ = EnvironBuilder.Build(app, request, requestId.Borrow());
            using var startResponse = StartResponseFunctions.Create(requestId.Borrow());
            result = Py.Call(callable, environ.Borrow(), startResponse.Borrow());
            resultType = Py.TypeOf(result.Borrow());
            if (!TrySendFileWrapper(app, request, result.Borrow(), resultType))
            {
                SendIterable(request, result.Borrow(), resultType);
            }
            Finish(app, request);
        }
        catch (PythonException e) when (e.TypeName == RequestTimeoutType)
        {
            // interrupt-timeout: the app unwound from the RequestTimeout raised into its thread.
            Fail(app, request, $"Request of WSGI script '{app.Options.ScriptPath}' ran past request-timeout and was interrupted (RequestTimeout raised in its thread); answering 504.", 504);
        }
        catch (PythonException e)
        {
            Fail(app, request, $"Exception occurred processing WSGI script '{app.Options.ScriptPath}'.\n" +
                (e.PythonTraceback.Length > 0 ? e.PythonTraceback : e.Message) + WsgiScript.SubInterpreterHint(app.Interpreter, e.PythonTraceback) +
                (e.TypeName == "MemoryError" && app.Options.MemoryErrorHint != null ? "\n" + app.Options.MemoryErrorHint : ""));
            app.Script.NoteIsolationRefused(e.PythonTraceback);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Fail(app, request, $"Failed to send the response of WSGI script '{app.Options.ScriptPath}': {e.GetType().Name}: {e.Message}");
        }
        finally
        {
            // A list or tuple has no close(); asking would build and discard an AttributeError.
            if (!result.IsNull && !IsSequence(resultType))
            {
                Close(app, request, result.Borrow());
            }
            result.Dispose();
            LogFunctions.EndRequest();
            request.Finished = true;
            if (request.Interrupted)
            {
                // A RequestTimeout that arrived after the app's last bytecode must not go off in
                // this thread's next request.
                _ = LibPython.PyThreadState_SetAsyncExc(request.ThreadIdent, 0);
            }
        }
    }

    /// <summary>The qualified name of bootstrap.py's RequestTimeout, as PythonException reports it.</summary>
    private const string RequestTimeoutType = "_wsgihost.RequestTimeout";

    /// <summary>
    /// interrupt-timeout: raises RequestTimeout in the thread running <paramref name="exchange"/>'s
    /// request, which unwinds it (when it runs Python code; a C call is not interrupted) into a
    /// 504. Runs on python-main under the interpreter the request runs in; false when the
    /// request has not started or has already finished.
    /// </summary>
    public static bool Interrupt(PythonRuntime python, IWsgiExchange exchange)
    {
        if (RequestRegistry.Find(exchange) is not { } running)
        {
            return false;
        }
        bool raised = false;
        python.RunWithGil(running.Interpreter, interpreter =>
        {
            // Under the GIL the request's thread is not running Python: it is either inside the
            // request (where the exception belongs) or has marked it finished (or ended it: then
            // it is no longer registered, and its thread may be running another request).
            if (RequestRegistry.Find(running.Id) == null || running.Finished || running.Interrupted)
            {
                return;
            }
            using var type = Py.GetAttr(interpreter.Bootstrap.Module.Borrow(), "RequestTimeout");
            raised = LibPython.PyThreadState_SetAsyncExc(running.ThreadIdent, type.Borrow().Handle) == 1;
            running.Interrupted = raised;
        });
        return raised;
    }

    private static bool IsSequence(nint type) => type == LibPython.PyList_Type || type == LibPython.PyTuple_Type;

    private static void SendIterable(WsgiRequest request, PyBorrowed result, nint type)
    {
        // A list or tuple is complete already: its length can become Content-Length (no
        // chunked encoding) and there is no point flushing between items. Anything else may
        // stream (server-sent events, long downloads): every item is flushed as it comes.
        bool sequence = IsSequence(type);
        if (sequence && request.Started && !request.HeadersSent && request.ContentLength == null)
        {
            request.ContentLength = SequenceLength(result, type == LibPython.PyList_Type);
        }
        using var iterator = Py.GetIter(result);
        while (!request.ClientGone && !(request.ContentLength is long cl && request.BodyBytes >= cl && request.HeadersSent))
        {
            using var item = Py.Next(iterator.Borrow());
            if (item.IsNull)
            {
                break;
            }
            if (!Py.TryGetBytes(item.Borrow(), out ReadOnlySpan<byte> data))
            {
                throw new PythonException("TypeError",
                    $"sequence of byte string values expected, value of type {Py.TypeName(item.Borrow())} found", "");
            }
            if (data.Length == 0)
            {
                continue;
            }
            if (!request.Started)
            {
                throw new PythonException("RuntimeError", "the application returned a response body before calling start_response()", "");
            }
            if (sequence)
            {
                request.BufferChunk(data);
            }
            else
            {
                // `item` holds the bytes until the send returns.
                request.SendChunk(data);
            }
        }
    }

    /// <summary>The summed length of a list/tuple of bytes, or null when any item is not bytes.</summary>
    private static long? SequenceLength(PyBorrowed sequence, bool isList)
    {
        nint n = LibPython.PyObject_Size(sequence.Handle);
        long total = 0;
        for (nint i = 0; i < n; i++)
        {
            nint item = isList
                ? LibPython.PyList_GetItem(sequence.Handle, i)
                : LibPython.PyTuple_GetItem(sequence.Handle, i);
            if (item == 0 || !Py.TryGetBytes(new PyBorrowed(item), out ReadOnlySpan<byte> data))
            {
                LibPython.PyErr_Clear();
                return null;
            }
            total += data.Length;
        }
        return total;
    }

    /// <summary>
    /// wsgi.file_wrapper over a regular file: sent from the descriptor at its current
    /// position, never through Python. Content-Length is added when the app gave none; an
    /// app-supplied one caps the bytes sent.
    /// </summary>
    private static bool TrySendFileWrapper(WsgiApplication app, WsgiRequest request, PyBorrowed result, nint type)
    {
        if (!request.Started || request.HeadersSent || type != app.Interpreter.Bootstrap.FileWrapperType.Handle)
        {
            return false;
        }
        using var source = Py.Call(app.Interpreter.Bootstrap.FileWrapperSource.Borrow(), result);
        if (source.Handle == LibPython.Py_None)
        {
            return false;
        }
        int fd = (int)Py.AsLong(Py.TupleItem(source.Borrow(), 0));
        long position = Py.AsLong(Py.TupleItem(source.Borrow(), 1));
        long size = Py.AsLong(Py.TupleItem(source.Borrow(), 2));
        long count = Math.Max(0, size - position);
        if (request.ContentLength is long declared)
        {
            count = Math.Min(count, declared);
        }
        else
        {
            request.ContentLength = count;
        }
        request.SendHeaders();
        request.CountBody(count);
        if (request.SendsNoBody || count == 0)
        {
            return true;
        }
        using (GilScope.Release())
        {
            using var handle = new SafeFileHandle(fd, ownsHandle: false);
            long sent = request.Exchange.SendFile(handle, position, count);
            if (sent < 0)
            {
                request.MarkClientGone();
            }
            else if (sent < count)
            {
                LogOf(app, request).Write(ErrorLogLevel.Error, "wsgi",
                    $"[client {request.Exchange.ClientForLog}] WSGI script '{app.Options.ScriptPath}': the file returned through wsgi.file_wrapper ended {count - sent} bytes before the size it had when the response began (it was rewritten or truncated meanwhile); " +
                    "the connection is closed so the client sees the response is incomplete. Replace such files by renaming a new one into place: the open file then stays whole.");
                request.Exchange.Abort(FileShrankReason(position + sent, position + count));
            }
        }
        return true;
    }

    /// <summary>Why a wsgi.file_wrapper response was aborted: the file ended at <paramref name="end"/> where <paramref name="expectedEnd"/> was promised.</summary>
    internal static string FileShrankReason(long end, long expectedEnd) =>
        $"the file sent by wsgi.file_wrapper shrank while it was sent (it ended at byte {end}, {expectedEnd - end} bytes short)";

    private static void Finish(WsgiApplication app, WsgiRequest request)
    {
        if (!request.Started)
        {
            throw new PythonException("RuntimeError", "the application returned without calling start_response()", "");
        }
        if (!request.HeadersSent)
        {
            request.ContentLength ??= 0;
            request.SendHeaders();
        }
        if (!request.BodyComplete && !request.ClientGone && !request.Exchange.BodyReplaced)
        {
            LogOf(app, request).Write(ErrorLogLevel.Error, "wsgi",
                $"[client {request.Exchange.ClientForLog}] Truncated response from WSGI script '{app.Options.ScriptPath}': " +
                $"Content-Length is {request.ContentLength} but the application returned {request.BodyBytes} bytes; the connection is closed so the client sees it is incomplete.");
            request.Exchange.Abort("response shorter than its Content-Length");
        }
    }

    /// <summary>The log of the server the request came to; the application's when the exchange has none (a daemon worker's).</summary>
    private static IErrorLog LogOf(WsgiApplication app, WsgiRequest request) => request.Exchange.Log ?? app.Log;

    private static void Fail(WsgiApplication app, WsgiRequest request, string message, int status = 500)
    {
        LogOf(app, request).Write(ErrorLogLevel.Error, "wsgi", $"[client {request.Exchange.ClientForLog}] {message}");
        if (!request.HeadersSent)
        {
            // An app that fails because the body it read was refused gets the client's error (400,
            // 413), not a server error; a status chosen by the caller (504) stays.
            SendError(request.Exchange, status == 500 && request.Exchange.RefusedBodyStatus is int refused and not 0 ? refused : status);
        }
        else
        {
            request.Exchange.Abort("application error after the response started");
        }
    }

    /// <summary>close() exactly once, whatever happened; its errors are logged and change nothing sent.</summary>
    private static void Close(WsgiApplication app, WsgiRequest request, PyBorrowed result)
    {
        try
        {
            using var close = Py.GetAttrOrNull(result, app.Interpreter.InternedKey("close"));
            if (!close.IsNull)
            {
                using var r = Py.CallNoArgs(close.Borrow());
            }
        }
        catch (PythonException e)
        {
            LogOf(app, request).Write(ErrorLogLevel.Error, "wsgi",
                $"[client {request.Exchange.ClientForLog}] Exception occurred closing the iterable of WSGI script '{app.Options.ScriptPath}'.\n{e.PythonTraceback}");
        }
    }

    internal static void SendError(IWsgiExchange exchange, int status)
    {
        exchange.MarkErrorPage();
        if (exchange.ErrorDocument(status) is { } document)
        {
            exchange.StartResponse(document.Status, ErrorPage.Reason(document.Status), document.Headers, document.Body.Length);
            if (!exchange.IsHead)
            {
                exchange.Buffer(document.Body);
            }
            return;
        }
        byte[] body = ErrorPage.Body(status);
        exchange.StartResponse(status, ErrorPage.Reason(status), [ErrorPage.ContentType], body.Length);
        if (!exchange.IsHead)
        {
            exchange.Buffer(body);
        }
    }
}
