namespace WsgiHost.Python.Runtime;

/// <summary>How the embedded Python is started.</summary>
public sealed record PythonRuntimeOptions
{
    /// <summary>Directories put first on sys.path (mod_wsgi's python-path), as site dirs.</summary>
    public IReadOnlyList<string> PythonPath { get; init; } = [];

    /// <summary>
    /// Sub-interpreters get a GIL of their own (PEP 684; used from Python 3.13), so
    /// application groups run Python on several cores; only extension modules that support
    /// isolated interpreters import in them. Ignored, with a warning, on older Pythons.
    /// </summary>
    public bool OwnGil { get; init; }

    /// <summary>
    /// Interpreters each application runs in (WSGIApplicationInterpreters, serve
    /// --interpreters): its application group's own, and the rest sub-interpreters with a GIL
    /// of their own, so one process runs the application's Python on several cores, each
    /// request in the interpreter with the fewest requests queued and running. 1 on Pythons
    /// before 3.13, with a warning.
    /// </summary>
    public int ApplicationInterpreters { get; init; } = 1;

    /// <summary>Seconds to wait for Py_FinalizeEx (atexit handlers, non-daemon threads) at shutdown.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
