namespace WsgiHost.Python.Interop;

internal static unsafe partial class LibPython
{
    public static delegate* unmanaged<nint, void> Py_IncRef;
    public static delegate* unmanaged<nint, void> Py_DecRef;
    public static delegate* unmanaged<nint, byte*, nint> PyObject_GetAttrString;
    public static delegate* unmanaged<nint, nint, nint> PyObject_GetAttr;
    public static delegate* unmanaged<nint, byte*, nint, int> PyObject_SetAttrString;
    public static delegate* unmanaged<nint, byte*, int> PyObject_HasAttrString;
    public static delegate* unmanaged<nint, nint, nint, nint> PyObject_Call;
    public static delegate* unmanaged<nint, nint, nint> PyObject_CallObject;
    public static delegate* unmanaged<nint, nint> PyObject_Str;
    public static delegate* unmanaged<nint, nint> PyObject_Repr;
    public static delegate* unmanaged<nint, nint> PyObject_Type;
    public static delegate* unmanaged<nint, nint> PyObject_GetIter;
    public static delegate* unmanaged<nint, nint> PyIter_Next;
    public static delegate* unmanaged<nint, nint, int> PyObject_IsInstance;
    public static delegate* unmanaged<nint, int> PyObject_IsTrue;
    public static delegate* unmanaged<nint, nint, nint, nint> PyCFunction_NewEx;
    public static delegate* unmanaged<byte*, nint> PyImport_ImportModule;
    public static delegate* unmanaged<byte*, nint> PyImport_AddModule;
    public static delegate* unmanaged<nint, nint> PyModule_GetDict;
    public static delegate* unmanaged<byte*, byte*, int, nint> Py_CompileString;
    public static delegate* unmanaged<nint, nint, nint, nint> PyEval_EvalCode;
    public static delegate* unmanaged<byte*, nint> PySys_GetObject;
    public static delegate* unmanaged<long, nint> PyLong_FromLongLong;
    public static delegate* unmanaged<nint, long> PyLong_AsLongLong;
    public static delegate* unmanaged<double, nint> PyFloat_FromDouble;
    public static delegate* unmanaged<long, nint> PyBool_FromLong;

    /// <summary>Singletons and built-in types: these exports are the objects themselves.</summary>
    public static nint Py_None;
    public static nint Py_True;
    public static nint Py_False;
    public static nint PyList_Type;
    public static nint PyTuple_Type;
    public static nint PyBytes_Type;
    public static nint PyUnicode_Type;

    private static void ResolveObjects()
    {
        Py_IncRef = (delegate* unmanaged<nint, void>)Required(nameof(Py_IncRef));
        Py_DecRef = (delegate* unmanaged<nint, void>)Required(nameof(Py_DecRef));
        PyObject_GetAttrString = (delegate* unmanaged<nint, byte*, nint>)Required(nameof(PyObject_GetAttrString));
        PyObject_GetAttr = (delegate* unmanaged<nint, nint, nint>)Required(nameof(PyObject_GetAttr));
        PyObject_SetAttrString = (delegate* unmanaged<nint, byte*, nint, int>)Required(nameof(PyObject_SetAttrString));
        PyObject_HasAttrString = (delegate* unmanaged<nint, byte*, int>)Required(nameof(PyObject_HasAttrString));
        PyObject_Call = (delegate* unmanaged<nint, nint, nint, nint>)Required(nameof(PyObject_Call));
        PyObject_CallObject = (delegate* unmanaged<nint, nint, nint>)Required(nameof(PyObject_CallObject));
        PyObject_Str = (delegate* unmanaged<nint, nint>)Required(nameof(PyObject_Str));
        PyObject_Repr = (delegate* unmanaged<nint, nint>)Required(nameof(PyObject_Repr));
        PyObject_Type = (delegate* unmanaged<nint, nint>)Required(nameof(PyObject_Type));
        PyObject_GetIter = (delegate* unmanaged<nint, nint>)Required(nameof(PyObject_GetIter));
        PyIter_Next = (delegate* unmanaged<nint, nint>)Required(nameof(PyIter_Next));
        PyObject_IsInstance = (delegate* unmanaged<nint, nint, int>)Required(nameof(PyObject_IsInstance));
        PyObject_IsTrue = (delegate* unmanaged<nint, int>)Required(nameof(PyObject_IsTrue));
        // PyCFunction_New is not exported by 3.9; PyCFunction_NewEx is, in every version.
        PyCFunction_NewEx = (delegate* unmanaged<nint, nint, nint, nint>)Required(nameof(PyCFunction_NewEx));
        PyImport_ImportModule = (delegate* unmanaged<byte*, nint>)Required(nameof(PyImport_ImportModule));
        PyImport_AddModule = (delegate* unmanaged<byte*, nint>)Required(nameof(PyImport_AddModule));
        PyModule_GetDict = (delegate* unmanaged<nint, nint>)Required(nameof(PyModule_GetDict));
        Py_CompileString = (delegate* unmanaged<byte*, byte*, int, nint>)Required(nameof(Py_CompileString));
        PyEval_EvalCode = (delegate* unmanaged<nint, nint, nint, nint>)Required(nameof(PyEval_EvalCode));
        PySys_GetObject = (delegate* unmanaged<byte*, nint>)Required(nameof(PySys_GetObject));
        PyLong_FromLongLong = (delegate* unmanaged<long, nint>)Required(nameof(PyLong_FromLongLong));
        PyLong_AsLongLong = (delegate* unmanaged<nint, long>)Required(nameof(PyLong_AsLongLong));
        PyFloat_FromDouble = (delegate* unmanaged<double, nint>)Required(nameof(PyFloat_FromDouble));
        PyBool_FromLong = (delegate* unmanaged<long, nint>)Required(nameof(PyBool_FromLong));

        Py_None = Required("_Py_NoneStruct");
        Py_True = Required("_Py_TrueStruct");
        Py_False = Required("_Py_FalseStruct");
        PyList_Type = Required(nameof(PyList_Type));
        PyTuple_Type = Required(nameof(PyTuple_Type));
        PyBytes_Type = Required(nameof(PyBytes_Type));
        PyUnicode_Type = Required(nameof(PyUnicode_Type));
    }
}
