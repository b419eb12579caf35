using WsgiHost.Python.Interop;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Python.Refs;

internal static unsafe partial class Py
{
    public static PyOwned GetAttr(PyBorrowed obj, string name)
    {
        byte[] n = NulTerminated(name);
        fixed (byte* p = n)
        {
            return PyOwned.New(LibPython.PyObject_GetAttrString(obj.Handle, p));
        }
    }

    /// <summary>The attribute, or a null handle when it does not exist (the AttributeError is cleared).</summary>
    public static PyOwned GetAttrOrNull(PyBorrowed obj, string name)
    {
        byte[] n = NulTerminated(name);
        fixed (byte* p = n)
        {
            nint r = LibPython.PyObject_GetAttrString(obj.Handle, p);
            if (r == 0)
            {
                LibPython.PyErr_Clear();
            }
            return PyOwned.NewOrNull(r);
        }
    }

    /// <summary>The attribute named by a (cached, interned) str, or a null handle when missing.</summary>
    public static PyOwned GetAttrOrNull(PyBorrowed obj, PyBorrowed name)
    {
        nint r = LibPython.PyObject_GetAttr(obj.Handle, name.Handle);
        if (r == 0)
        {
            LibPython.PyErr_Clear();
        }
        return PyOwned.NewOrNull(r);
    }

    public static PyOwned Import(string module)
    {
        byte[] n = NulTerminated(module);
        fixed (byte* p = n)
        {
            return PyOwned.New(LibPython.PyImport_ImportModule(p));
        }
    }

    /// <summary>Calls obj(*args); args is a tuple.</summary>
    public static PyOwned CallTuple(PyBorrowed callable, PyBorrowed args) =>
        PyOwned.New(LibPython.PyObject_Call(callable.Handle, args.Handle, 0));

    public static PyOwned Call(PyBorrowed callable, PyBorrowed arg0, PyBorrowed arg1)
    {
        using var args = Tuple(2);
        SetTupleItem(args.Borrow(), 0, PyOwned.FromBorrowed(arg0.Handle).Steal());
        SetTupleItem(args.Borrow(), 1, PyOwned.FromBorrowed(arg1.Handle).Steal());
        return CallTuple(callable, args.Borrow());
    }

    public static PyOwned Call(PyBorrowed callable, PyBorrowed arg0, PyBorrowed arg1, PyBorrowed arg2)
    {
        using var args = Tuple(3);
        SetTupleItem(args.Borrow(), 0, PyOwned.FromBorrowed(arg0.Handle).Steal());
        SetTupleItem(args.Borrow(), 1, PyOwned.FromBorrowed(arg1.Handle).Steal());
        SetTupleItem(args.Borrow(), 2, PyOwned.FromBorrowed(arg2.Handle).Steal());
        return CallTuple(callable, args.Borrow());
    }

    public static PyOwned Call(PyBorrowed callable, PyBorrowed arg0)
    {
        using var args = Tuple(1);
        SetTupleItem(args.Borrow(), 0, PyOwned.FromBorrowed(arg0.Handle).Steal());
        return CallTuple(callable, args.Borrow());
    }

    public static PyOwned CallNoArgs(PyBorrowed callable) =>
        PyOwned.New(LibPython.PyObject_CallObject(callable.Handle, 0));

    public static PyOwned Long(long value) => PyOwned.New(LibPython.PyLong_FromLongLong(value));

    public static PyOwned Bool(bool value) => PyOwned.New(LibPython.PyBool_FromLong(value ? 1 : 0));

    public static long AsLong(PyBorrowed obj)
    {
        long v = LibPython.PyLong_AsLongLong(obj.Handle);
        if (v == -1 && LibPython.PyErr_Occurred() != 0)
        {
            throw PythonException.FetchCurrent();
        }
        return v;
    }

    public static bool IsTrue(PyBorrowed obj)
    {
        int r = LibPython.PyObject_IsTrue(obj.Handle);
        if (r < 0)
        {
            throw PythonException.FetchCurrent();
        }
        return r == 1;
    }

    /// <summary>The exact type object of obj; it lives at least as long as obj does.</summary>
    public static nint TypeOf(PyBorrowed obj)
    {
        nint t = LibPython.PyObject_Type(obj.Handle);
        LibPython.Py_DecRef(t);
        return t;
    }

    public static bool IsExactOrSubtype(PyBorrowed obj, nint type)
    {
        int r = LibPython.PyObject_IsInstance(obj.Handle, type);
        if (r < 0)
        {
            LibPython.PyErr_Clear();
            return false;
        }
        return r == 1;
    }

    /// <summary>The name of obj's type, for error messages.</summary>
    public static string TypeName(PyBorrowed obj)
    {
        using var type = PyOwned.New(LibPython.PyObject_Type(obj.Handle));
        using var name = GetAttrOrNull(type.Borrow(), "__name__");
        return name.IsNull ? "?" : ToText(name.Borrow());
    }

    public static PyOwned Tuple(int size) => PyOwned.New(LibPython.PyTuple_New(size));

    /// <summary>PyTuple_SetItem steals the item even when it fails.</summary>
    public static void SetTupleItem(PyBorrowed tuple, int index, PyStolen item) =>
        Check(LibPython.PyTuple_SetItem(tuple.Handle, index, item.Handle));

    public static int TupleSize(PyBorrowed tuple) => (int)LibPython.PyTuple_Size(tuple.Handle);

    public static bool IsNone(PyBorrowed obj) => obj.Handle == LibPython.Py_None;

    public static PyBorrowed TupleItem(PyBorrowed tuple, int index)
    {
        nint r = LibPython.PyTuple_GetItem(tuple.Handle, index);
        if (r == 0)
        {
            throw PythonException.FetchCurrent();
        }
        return new PyBorrowed(r);
    }

    public static PyOwned Dict() => PyOwned.New(LibPython.PyDict_New());

    public static PyOwned DictCopy(PyBorrowed dict) => PyOwned.New(LibPython.PyDict_Copy(dict.Handle));

    public static void DictSet(PyBorrowed dict, PyBorrowed key, PyBorrowed value) =>
        Check(LibPython.PyDict_SetItem(dict.Handle, key.Handle, value.Handle));

    public static void DictSet(PyBorrowed dict, string key, PyBorrowed value)
    {
        byte[] k = NulTerminated(key);
        fixed (byte* p = k)
        {
            Check(LibPython.PyDict_SetItemString(dict.Handle, p, value.Handle));
        }
    }

    public static PyBorrowed DictGet(PyBorrowed dict, string key)
    {
        byte[] k = NulTerminated(key);
        fixed (byte* p = k)
        {
            return new PyBorrowed(LibPython.PyDict_GetItemString(dict.Handle, p));
        }
    }

    public static PyOwned GetIter(PyBorrowed obj) => PyOwned.New(LibPython.PyObject_GetIter(obj.Handle));

    /// <summary>The next item; a null handle means the end, or an error when PyErr_Occurred.</summary>
    public static PyOwned Next(PyBorrowed iterator)
    {
        nint r = LibPython.PyIter_Next(iterator.Handle);
        if (r == 0 && LibPython.PyErr_Occurred() != 0)
        {
            throw PythonException.FetchCurrent();
        }
        return PyOwned.NewOrNull(r);
    }

    /// <summary>Throws the pending Python error when a C API int result signals failure.</summary>
    public static void Check(int result)
    {
        if (result < 0)
        {
            throw PythonException.FetchCurrent();
        }
    }

    /// <summary>Raises a Python exception of the given class, to be returned as NULL from a callback.</summary>
    public static void SetError(nint exceptionType, string message)
    {
        byte[] m = NulTerminated(message);
        fixed (byte* p = m)
        {
            LibPython.PyErr_SetString(exceptionType, p);
        }
    }
}
