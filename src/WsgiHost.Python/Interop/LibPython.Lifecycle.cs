namespace WsgiHost.Python.Interop;

internal static unsafe partial class LibPython
{
    public static delegate* unmanaged<int, void> Py_InitializeEx;
    public static delegate* unmanaged<int> Py_IsInitialized;
    public static delegate* unmanaged<int> Py_FinalizeEx;
    public static delegate* unmanaged<nint, void> Py_SetProgramName;
    public static delegate* unmanaged<byte*, nint*, nint> Py_DecodeLocale;
    public static delegate* unmanaged<nint, void> PyMem_RawFree;
    public static delegate* unmanaged<nint> Py_GetVersion;
    public static delegate* unmanaged<nint> Py_NewInterpreter;
    public static delegate* unmanaged<nint, void> Py_EndInterpreter;

    /// <summary>Python 3.12 and later (PEP 684); null before.</summary>
    public static delegate* unmanaged<nint*, PyInterpreterConfig*, PyStatus> Py_NewInterpreterFromConfig;

    private static void ResolveLifecycle()
    {
        Py_InitializeEx = (delegate* unmanaged<int, void>)Required(nameof(Py_InitializeEx));
        Py_IsInitialized = (delegate* unmanaged<int>)Required(nameof(Py_IsInitialized));
        Py_FinalizeEx = (delegate* unmanaged<int>)Required(nameof(Py_FinalizeEx));
        Py_SetProgramName = (delegate* unmanaged<nint, void>)Required(nameof(Py_SetProgramName));
        Py_DecodeLocale = (delegate* unmanaged<byte*, nint*, nint>)Required(nameof(Py_DecodeLocale));
        PyMem_RawFree = (delegate* unmanaged<nint, void>)Required(nameof(PyMem_RawFree));
        Py_GetVersion = (delegate* unmanaged<nint>)Required(nameof(Py_GetVersion));
        Py_NewInterpreter = (delegate* unmanaged<nint>)Required(nameof(Py_NewInterpreter));
        Py_EndInterpreter = (delegate* unmanaged<nint, void>)Required(nameof(Py_EndInterpreter));
        Py_NewInterpreterFromConfig = (delegate* unmanaged<nint*, PyInterpreterConfig*, PyStatus>)Optional(nameof(Py_NewInterpreterFromConfig));
    }
}
