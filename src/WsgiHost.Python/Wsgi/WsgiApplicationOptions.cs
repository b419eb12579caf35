namespace WsgiHost.Python.Wsgi;

/// <summary>One WSGI target: mod_wsgi's (script, callable, application group) plus its switches.</summary>
public sealed record WsgiApplicationOptions
{
    /// <summary>The WSGI script file (mod_wsgi's WSGIScriptAlias target).</summary>
    public required string ScriptPath { get; init; }

    /// <summary>WSGICallableObject; "application" by default.</summary>
    public string CallableObject { get; init; } = "application";

    /// <summary>The resolved application group; "" is the main interpreter (%{GLOBAL}).</summary>
    public string ApplicationGroup { get; init; } = "";

    /// <summary>The resolved process group; "" in embedded mode.</summary>
    public string ProcessGroup { get; init; } = "";

    /// <summary>WSGIScriptReloading: re-execute the script when its mtime changes.</summary>
    public bool ScriptReloading { get; init; } = true;

    /// <summary>
    /// A daemon worker's: WSGIScriptReloading is on, and a changed script restarts the whole
    /// process instead of re-executing it here (<see cref="ScriptReloading"/> is then false).
    /// The environ still says reloading is on (mod_wsgi.script_reloading), as mod_wsgi's does.
    /// </summary>
    public bool ReloadsByRestart { get; init; }

    /// <summary>wsgi.multithread: more than one request thread may run the app at once.</summary>
    public bool MultiThread { get; init; } = true;

    /// <summary>wsgi.multiprocess: other processes serve the same application.</summary>
    public bool MultiProcess { get; init; }

    /// <summary>wsgi.run_once: the process serves this one request (a daemon worker with threads=1 maximum-requests=1).</summary>
    public bool RunOnce { get; init; }

    /// <summary>
    /// Environ entries that are the same for every request of this mount (SERVER_SOFTWARE,
    /// DOCUMENT_ROOT, SetEnv values); built once into the base dict instead of per request.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> Environ { get; init; } = [];

    /// <summary>
    /// Added to the log after the traceback when the application raises MemoryError: the
    /// process limit that caused it and what to do (a daemon group's memory-limit=), or null.
    /// </summary>
    public string? MemoryErrorHint { get; init; }
}
