namespace WsgiHost.Configuration.Model;

/// <summary>Which Python to embed and how to prepare it.</summary>
internal sealed record PythonSettings
{
    /// <summary>A python executable; its sysconfig finds libpython (serve --python).</summary>
    public string? Executable { get; init; }

    /// <summary>A Python prefix or virtualenv (WSGIPythonHome, python-home=, --python-home).</summary>
    public string? Home { get; init; }

    /// <summary>Where WSGIPythonHome was written, for messages; null when it came from elsewhere.</summary>
    public Syntax.SourceLocation? HomeLocation { get; init; }

    /// <summary>Extra directories first on sys.path (WSGIPythonPath, python-path=).</summary>
    public IReadOnlyList<string> Path { get; init; } = [];

    /// <summary>WSGISubInterpreterGIL Own: sub-interpreters get a GIL each (PEP 684, Python 3.12+).</summary>
    public bool OwnGil { get; init; }

    /// <summary>
    /// WSGIApplicationInterpreters (serve --interpreters): interpreters each application runs in,
    /// the extra ones with a GIL of their own (Python 3.13+); daemon groups without
    /// interpreters= take it too.
    /// </summary>
    public int ApplicationInterpreters { get; init; } = 1;

    /// <summary>Where WSGIApplicationInterpreters was written, for messages; null when it came from elsewhere.</summary>
    public Syntax.SourceLocation? ApplicationInterpretersLocation { get; init; }

    /// <summary>WSGIPythonOptimize: 0, 1 (no asserts, __debug__ False) or 2 (no docstrings either), in the server and every daemon worker.</summary>
    public int Optimize { get; init; }

    /// <summary>The process working directory while serving (serve --working-directory).</summary>
    public string? WorkingDirectory { get; init; }
}
