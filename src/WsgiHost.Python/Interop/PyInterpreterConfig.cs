using System.Runtime.InteropServices;

namespace WsgiHost.Python.Interop;

/// <summary>
/// PyInterpreterConfig (Python 3.12 and 3.13; Include/cpython/initconfig.h), for
/// Py_NewInterpreterFromConfig. <see cref="Isolated"/> is the documented own-GIL setting:
/// its own object allocator and GIL, only extension modules that support that, no fork.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PyInterpreterConfig
{
    public const int SharedGil = 1;
    public const int OwnGil = 2;

    public int UseMainObmalloc;
    public int AllowFork;
    public int AllowExec;
    public int AllowThreads;
    public int AllowDaemonThreads;
    public int CheckMultiInterpExtensions;
    public int Gil;

    public static PyInterpreterConfig Isolated => new()
    {
        UseMainObmalloc = 0,
        AllowFork = 0,
        AllowExec = 0,
        AllowThreads = 1,
        AllowDaemonThreads = 0,
        CheckMultiInterpExtensions = 1,
        Gil = OwnGil,
    };
}

/// <summary>PyStatus, returned by value: an exception when <see cref="Type"/> is not 0.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PyStatus
{
    public int Type;
    public nint Func;
    public nint ErrMsg;
    public int ExitCode;

    public readonly bool IsException => Type != 0;

    public readonly string Message => (Marshal.PtrToStringUTF8(Func) is string f ? f + ": " : "") + (Marshal.PtrToStringUTF8(ErrMsg) ?? "unknown error");
}
