using System.Runtime.InteropServices;
using WsgiHost.Python.Interop;
using WsgiHost.Python.Refs;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Python.Wsgi;

/// <summary>
/// start_response(status, headers, exc_info=None) and the write() callable it returns,
/// as CPython builtin functions whose `self` is the request id. Every error the app makes
/// here is raised into the app as TypeError/ValueError/RuntimeError, so it surfaces as a
/// logged traceback and a 500 (or an incomplete response once headers are out).
/// </summary>
internal static unsafe class StartResponseFunctions
{
    // Native, so it can be passed without pinning on every call.
    private static readonly nint s_excInfo = Marshal.StringToCoTaskMemUTF8("exc_info");

    public static readonly nint StartResponseDef = Bootstrap.MethodDef("start_response",
        (nint)(delegate* unmanaged<nint, nint, nint, nint>)&StartResponse, PyMethodDef.METH_VARARGS | PyMethodDef.METH_KEYWORDS);

    public static readonly nint WriteDef = Bootstrap.MethodDef("write",
        (nint)(delegate* unmanaged<nint, nint, nint>)&Write, PyMethodDef.METH_O);

    /// <summary>A new start_response bound to the request id (new reference).</summary>
    public static PyOwned Create(PyBorrowed requestId) =>
        PyOwned.New(LibPython.PyCFunction_NewEx(StartResponseDef, requestId.Handle, 0));

    [UnmanagedCallersOnly]
    private static nint StartResponse(nint self, nint args, nint kwargs)
    {
        try
        {
            WsgiRequest? request = RequestRegistry.Find(Py.AsLong(new PyBorrowed(self)));
            if (request == null)
            {
                return Fail(LibPython.PyExc_RuntimeError, "start_response() called after its request finished");
            }
            nint count = LibPython.PyTuple_Size(args);
            nint excInfo = count == 3 ? LibPython.PyTuple_GetItem(args, 2) : 0;
            if (kwargs != 0)
            {
                nint kw = LibPython.PyDict_GetItemString(kwargs, (byte*)s_excInfo);
                if (kw == 0 || LibPython.PyObject_Size(kwargs) != 1 || count != 2)
                {
                    return Fail(LibPython.PyExc_TypeError, "start_response() takes (status, headers, exc_info=None)");
                }
                excInfo = kw;
            }
            else if (count is < 2 or > 3)
            {
                return Fail(LibPython.PyExc_TypeError, $"start_response() takes 2 or 3 arguments ({count} given)");
            }
            if (excInfo == LibPython.Py_None)
            {
                excInfo = 0;
            }
            if (excInfo != 0)
            {
                if (request.HeadersSent)
                {
                    return Reraise(excInfo);
                }
            }
            else if (request.HeadersSent)
            {
                // Before the headers went out, a second call replaces the first, as under
                // mod_wsgi (PEP 3333 would raise; apps that work under mod_wsgi rely on it).
                return Fail(LibPython.PyExc_RuntimeError, "start_response() was called again after the headers were sent; pass exc_info to report an error");
            }

            ResponseTextCache texts = ResponseTextCache.ForThread;
            var status = new PyBorrowed(LibPython.PyTuple_GetItem(args, 0));
            if (!texts.TryGetLatin1(status, ResponseTextCache.Status, out string statusText))
            {
                return Fail(LibPython.PyExc_TypeError, $"status must be a str of latin-1 characters, not {Py.TypeName(status)}");
            }
            if (!texts.TryParseStatus(statusText, out int code, out string reason, out string error))
            {
                return Fail(LibPython.PyExc_ValueError, error);
            }
            var headers = new PyBorrowed(LibPython.PyTuple_GetItem(args, 1));
            if (!Py.IsExactOrSubtype(headers, LibPython.PyList_Type))
            {
                return Fail(LibPython.PyExc_TypeError, $"response headers must be a list, not {Py.TypeName(headers)}");
            }
            if (!TryReadHeaders(headers, texts, out var list, out long? contentLength))
            {
                return 0;
            }
            request.Start(code, reason, list, contentLength);
            return LibPython.PyCFunction_NewEx(WriteDef, self, 0);
        }
        catch (PythonException e)
        {
            return Fail(LibPython.PyExc_RuntimeError, e.Message);
        }
        catch (Exception e)
        {
            return Fail(LibPython.PyExc_RuntimeError, "start_response failed: " + e.Message);
        }
    }

    private static bool TryReadHeaders(PyBorrowed headers, ResponseTextCache texts, out List<KeyValuePair<string, string>> list, out long? contentLength)
    {
        nint n = LibPython.PyList_Size(headers.Handle);
        list = new List<KeyValuePair<string, string>>((int)n);
        contentLength = null;
        for (nint i = 0; i < n; i++)
        {
            var item = new PyBorrowed(LibPython.PyList_GetItem(headers.Handle, i));
            if (!Py.IsExactOrSubtype(item, LibPython.PyTuple_Type) || LibPython.PyTuple_Size(item.Handle) != 2)
            {
                Fail(LibPython.PyExc_TypeError, $"each response header must be a (name, value) tuple, not {Py.TypeName(item)}");
                return false;
            }
            var name = new PyBorrowed(LibPython.PyTuple_GetItem(item.Handle, 0));
            var value = new PyBorrowed(LibPython.PyTuple_GetItem(item.Handle, 1));
            int position = ResponseTextCache.HeaderName(i);
            if (!texts.TryGetLatin1(name, position, out string nameText))
            {
                Fail(LibPython.PyExc_TypeError, $"header name must be a str of latin-1 characters, not {Py.TypeName(name)}");
                return false;
            }
            if (!texts.TryGetLatin1(value, position + 1, out string valueText))
            {
                Fail(LibPython.PyExc_TypeError, $"value of header '{nameText}' must be a str of latin-1 characters, not {Py.TypeName(value)}");
                return false;
            }
            if (!ResponseRules.TryValidateHeader(nameText, valueText, out string error))
            {
                Fail(LibPython.PyExc_ValueError, error);
                return false;
            }
            if (nameText.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                contentLength = ResponseRules.ParseContentLength(valueText);
                if (contentLength == null)
                {
                    Fail(LibPython.PyExc_ValueError, $"invalid Content-Length header value {ResponseRules.Quote(valueText)}");
                    return false;
                }
                continue;
            }
            list.Add(new(nameText, valueText));
        }
        return true;
    }

    [UnmanagedCallersOnly]
    private static nint Write(nint self, nint data)
    {
        try
        {
            WsgiRequest? request = RequestRegistry.Find(Py.AsLong(new PyBorrowed(self)));
            if (request == null)
            {
                return Fail(LibPython.PyExc_RuntimeError, "write() called after its request finished");
            }
            if (!request.Started)
            {
                return Fail(LibPython.PyExc_RuntimeError, "write() called before start_response()");
            }
            if (!Py.TryGetBytes(new PyBorrowed(data), out ReadOnlySpan<byte> bytes))
            {
                return Fail(LibPython.PyExc_TypeError, $"write() argument must be bytes, not {Py.TypeName(new PyBorrowed(data))}");
            }
            if (request.ClientGone)
            {
                return Fail(LibPython.PyExc_OSError, "client connection closed");
            }
            // The caller's reference keeps `data` alive until write() returns.
            if (!request.SendChunk(bytes))
            {
                return Fail(LibPython.PyExc_OSError, "client connection closed");
            }
            LibPython.Py_IncRef(LibPython.Py_None);
            return LibPython.Py_None;
        }
        catch (Exception e)
        {
            return Fail(LibPython.PyExc_OSError, "failed to write response data: " + e.Message);
        }
    }

    /// <summary>Re-raises exc_info = (type, value, traceback), as PEP 3333 asks once headers are out.</summary>
    private static nint Reraise(nint excInfo)
    {
        if (!Py.IsExactOrSubtype(new PyBorrowed(excInfo), LibPython.PyTuple_Type) || LibPython.PyTuple_Size(excInfo) != 3)
        {
            return Fail(LibPython.PyExc_TypeError, "exc_info must be a (type, value, traceback) tuple");
        }
        nint type = LibPython.PyTuple_GetItem(excInfo, 0);
        nint value = LibPython.PyTuple_GetItem(excInfo, 1);
        nint tb = LibPython.PyTuple_GetItem(excInfo, 2);
        // PyErr_Restore steals all three.
        LibPython.Py_IncRef(type);
        LibPython.Py_IncRef(value);
        if (tb == LibPython.Py_None)
        {
            tb = 0;
        }
        else
        {
            LibPython.Py_IncRef(tb);
        }
        LibPython.PyErr_Restore(type, value, tb);
        return 0;
    }

    private static nint Fail(nint exceptionType, string message)
    {
        Py.SetError(exceptionType, message);
        return 0;
    }
}
