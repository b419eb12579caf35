namespace WsgiHost.Python.Interop;

internal static unsafe partial class LibPython
{
    public static delegate* unmanaged<nint> PyErr_Occurred;
    public static delegate* unmanaged<nint*, nint*, nint*, void> PyErr_Fetch;
    public static delegate* unmanaged<nint*, nint*, nint*, void> PyErr_NormalizeException;
    public static delegate* unmanaged<nint, nint, nint, void> PyErr_Restore;
    public static delegate* unmanaged<nint, nint, int> PyException_SetTraceback;
    public static delegate* unmanaged<void> PyErr_Clear;
    public static delegate* unmanaged<nint, byte*, void> PyErr_SetString;
    public static delegate* unmanaged<nint, int> PyErr_ExceptionMatches;
    public static delegate* unmanaged<nint, nint, int> PyErr_GivenExceptionMatches;

    /// <summary>3.12+ only; null on older versions, where Fetch/Normalize is used instead.</summary>
    public static delegate* unmanaged<nint> PyErr_GetRaisedException;

    public static nint PyExc_TypeError;
    public static nint PyExc_ValueError;
    public static nint PyExc_RuntimeError;
    public static nint PyExc_OSError;
    public static nint PyExc_SystemExit;
    public static nint PyExc_KeyboardInterrupt;
    public static nint PyExc_TimeoutError;

    private static void ResolveErrors()
    {
        PyErr_Occurred = (delegate* unmanaged<nint>)Required(nameof(PyErr_Occurred));
        PyErr_Fetch = (delegate* unmanaged<nint*, nint*, nint*, void>)Required(nameof(PyErr_Fetch));
        PyErr_NormalizeException = (delegate* unmanaged<nint*, nint*, nint*, void>)Required(nameof(PyErr_NormalizeException));
        PyErr_Restore = (delegate* unmanaged<nint, nint, nint, void>)Required(nameof(PyErr_Restore));
        PyException_SetTraceback = (delegate* unmanaged<nint, nint, int>)Required(nameof(PyException_SetTraceback));
        PyErr_Clear = (delegate* unmanaged<void>)Required(nameof(PyErr_Clear));
        PyErr_SetString = (delegate* unmanaged<nint, byte*, void>)Required(nameof(PyErr_SetString));
        PyErr_ExceptionMatches = (delegate* unmanaged<nint, int>)Required(nameof(PyErr_ExceptionMatches));
        PyErr_GivenExceptionMatches = (delegate* unmanaged<nint, nint, int>)Required(nameof(PyErr_GivenExceptionMatches));
        PyErr_GetRaisedException = (delegate* unmanaged<nint>)Optional(nameof(PyErr_GetRaisedException));

        PyExc_TypeError = ExceptionObject(nameof(PyExc_TypeError));
        PyExc_ValueError = ExceptionObject(nameof(PyExc_ValueError));
        PyExc_RuntimeError = ExceptionObject(nameof(PyExc_RuntimeError));
        PyExc_OSError = ExceptionObject(nameof(PyExc_OSError));
        PyExc_SystemExit = ExceptionObject(nameof(PyExc_SystemExit));
        PyExc_KeyboardInterrupt = ExceptionObject(nameof(PyExc_KeyboardInterrupt));
        PyExc_TimeoutError = ExceptionObject(nameof(PyExc_TimeoutError));
    }
}
