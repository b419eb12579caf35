namespace WsgiHost.Python.Interop;

internal static unsafe partial class LibPython
{
    public static delegate* unmanaged<nint> PyEval_SaveThread;
    public static delegate* unmanaged<nint, void> PyEval_RestoreThread;
    public static delegate* unmanaged<nint, nint> PyThreadState_New;
    public static delegate* unmanaged<nint, void> PyThreadState_Clear;
    public static delegate* unmanaged<nint, void> PyThreadState_Delete;
    public static delegate* unmanaged<nint, nint> PyThreadState_Swap;
    public static delegate* unmanaged<nint> PyThreadState_Get;
    public static delegate* unmanaged<nint> PyInterpreterState_Get;
    public static delegate* unmanaged<ulong> PyThread_get_thread_ident;
    public static delegate* unmanaged<ulong, nint, int> PyThreadState_SetAsyncExc;

    private static void ResolveThreads()
    {
        PyEval_SaveThread = (delegate* unmanaged<nint>)Required(nameof(PyEval_SaveThread));
        PyEval_RestoreThread = (delegate* unmanaged<nint, void>)Required(nameof(PyEval_RestoreThread));
        PyThreadState_New = (delegate* unmanaged<nint, nint>)Required(nameof(PyThreadState_New));
        PyThreadState_Clear = (delegate* unmanaged<nint, void>)Required(nameof(PyThreadState_Clear));
        PyThreadState_Delete = (delegate* unmanaged<nint, void>)Required(nameof(PyThreadState_Delete));
        PyThreadState_Swap = (delegate* unmanaged<nint, nint>)Required(nameof(PyThreadState_Swap));
        PyThreadState_Get = (delegate* unmanaged<nint>)Required(nameof(PyThreadState_Get));
        PyInterpreterState_Get = (delegate* unmanaged<nint>)Required(nameof(PyInterpreterState_Get));
        PyThread_get_thread_ident = (delegate* unmanaged<ulong>)Required(nameof(PyThread_get_thread_ident));
        PyThreadState_SetAsyncExc = (delegate* unmanaged<ulong, nint, int>)Required(nameof(PyThreadState_SetAsyncExc));
    }
}
