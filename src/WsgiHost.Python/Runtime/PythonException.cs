using WsgiHost.Python.Interop;
using WsgiHost.Python.Refs;

namespace WsgiHost.Python.Runtime;

/// <summary>
/// A Python exception carried into .NET with its formatted traceback. The traceback is
/// formatted with the traceback module, never PyErr_Print: PyErr_Print exits the whole
/// process when the pending exception is SystemExit.
/// </summary>
internal sealed unsafe class PythonException : Exception
{
    public PythonException(string typeName, string text, string traceback)
        : base(text.Length == 0 ? typeName : $"{typeName}: {text}")
    {
        TypeName = typeName;
        Text = text;
        PythonTraceback = traceback;
    }

    /// <summary>The exception class, qualified by module unless builtin (e.g. "ZeroDivisionError", "django.core.exceptions.ImproperlyConfigured").</summary>
    public string TypeName { get; }

    /// <summary>str() of the exception value.</summary>
    public string Text { get; }

    /// <summary>The full "Traceback (most recent call last): ..." text, as Python prints it.</summary>
    public string PythonTraceback { get; }

    /// <summary>Takes the pending Python error (clearing it) and formats it. The GIL must be held.</summary>
    public static unsafe PythonException FetchCurrent()
    {
        nint value = FetchNormalized();
        if (value == 0)
        {
            return new PythonException("SystemError", "a Python C API call failed without setting an exception", "");
        }
        using var owned = PyOwned.New(value);
        return FromValue(owned.Borrow());
    }

    /// <summary>Formats an exception instance (borrowed) without changing the error indicator.</summary>
    public static PythonException FromValue(PyBorrowed value)
    {
        string typeName = QualifiedTypeName(value);
        string text = Py.ToText(value);
        string traceback = Format(value);
        return new PythonException(typeName, text, traceback);
    }

    /// <summary>
    /// Takes the pending exception as one normalized instance whose __traceback__ is set
    /// (new reference), or 0 when none is pending. 3.12+ has PyErr_GetRaisedException;
    /// earlier versions need Fetch + Normalize + SetTraceback.
    /// </summary>
    internal static unsafe nint FetchNormalized()
    {
        if (LibPython.PyErr_GetRaisedException != null)
        {
            return LibPython.PyErr_GetRaisedException();
        }
        nint type, value, tb;
        LibPython.PyErr_Fetch(&type, &value, &tb);
        if (type == 0)
        {
            return 0;
        }
        LibPython.PyErr_NormalizeException(&type, &value, &tb);
        if (tb != 0 && value != 0)
        {
            LibPython.PyException_SetTraceback(value, tb);
        }
        if (tb != 0)
        {
            LibPython.Py_DecRef(tb);
        }
        if (value == 0)
        {
            // Normalisation failed to build an instance; keep the class as the "value".
            return type;
        }
        LibPython.Py_DecRef(type);
        return value;
    }

    private static string QualifiedTypeName(PyBorrowed value)
    {
        try
        {
            using var type = PyOwned.New(LibPython.PyObject_Type(value.Handle));
            using var name = Py.GetAttrOrNull(type.Borrow(), "__qualname__");
            using var module = Py.GetAttrOrNull(type.Borrow(), "__module__");
            string n = name.IsNull ? "?" : Py.ToText(name.Borrow());
            string m = module.IsNull ? "" : Py.ToText(module.Borrow());
            return m.Length == 0 || m == "builtins" ? n : $"{m}.{n}";
        }
        catch (PythonException)
        {
            return "?";
        }
    }

    private static string Format(PyBorrowed value)
    {
        try
        {
            using var traceback = Py.Import("traceback");
            using var format = Py.GetAttr(traceback.Borrow(), "format_exception");
            using var type = PyOwned.New(LibPython.PyObject_Type(value.Handle));
            using var tb = Py.GetAttrOrNull(value, "__traceback__");
            using var args = Py.Tuple(3);
            Py.SetTupleItem(args.Borrow(), 0, PyOwned.FromBorrowed(type.Handle).Steal());
            Py.SetTupleItem(args.Borrow(), 1, PyOwned.FromBorrowed(value.Handle).Steal());
            Py.SetTupleItem(args.Borrow(), 2, PyOwned.FromBorrowed(tb.IsNull ? LibPython.Py_None : tb.Handle).Steal());
            using var lines = Py.CallTuple(format.Borrow(), args.Borrow());
            using var empty = Py.Utf8("");
            using var join = Py.GetAttr(empty.Borrow(), "join");
            using var joined = Py.Call(join.Borrow(), lines.Borrow());
            return Py.Utf8Text(joined.Borrow()).TrimEnd('\n');
        }
        catch (PythonException)
        {
            // The formatter itself failed (a broken __str__, a half-torn-down interpreter).
            LibPython.PyErr_Clear();
            return "";
        }
    }
}
