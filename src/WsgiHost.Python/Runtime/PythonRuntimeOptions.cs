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

    /// <summary>The daemon process group this process serves (mod_wsgi.process_group); "" when embedded.</summary>
    public string ProcessGroup { get; init; } = "";

    /// <summary>Processes serving the same applications (mod_wsgi.maximum_processes): a group's processes=, or the server processes.</summary>
    public int MaximumProcesses { get; init; } = 1;

    /// <summary>Request threads of this process (mod_wsgi.threads_per_process).</summary>
    public int ThreadsPerProcess { get; init; } = 1;

    /// <summary>
    /// WSGIPythonOptimize: 1 strips assert statements and makes __debug__ False, 2 also drops
    /// docstrings, as python -O and -OO; 0, the default, neither.
    /// </summary>
    public int Optimize { get; init; }

    /// <summary>Seconds to wait for Py_FinalizeEx (atexit handlers, non-daemon threads) at shutdown.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
