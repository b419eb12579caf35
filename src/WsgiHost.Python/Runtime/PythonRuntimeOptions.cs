namespace WsgiHost.Python.Runtime;

/// <summary>How the embedded Python is started.</summary>
public sealed record PythonRuntimeOptions
{
    /// <summary>Directories put first on sys.path (mod_wsgi's python-path), as site dirs.</summary>
    public IReadOnlyList<string> PythonPath { get; init; } = [];

    /// <summary>Seconds to wait for Py_FinalizeEx (atexit handlers, non-daemon threads) at shutdown.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
