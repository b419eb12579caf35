using System.Text;
using WsgiHost.Python.Interop;
using WsgiHost.Python.Refs;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Python.Wsgi;

/// <summary>
/// A WSGI script file loaded as module _mod_wsgi_&lt;md5 of path&gt; (mod_wsgi's name, so apps
/// that look themselves up in sys.modules keep working). Loading happens once, under a lock,
/// even when the first requests arrive together: module-level setup (Django's settings and
/// app registry) must run in one thread before any request uses it.
/// </summary>
internal sealed class WsgiScript
{
    private readonly Interpreter _interpreter;
    private readonly WsgiApplicationOptions _options;
    private readonly IErrorLog _log;
    private readonly Lock _loadLock = new();
    private volatile Loaded? _loaded;

    public WsgiScript(Interpreter interpreter, WsgiApplicationOptions options, IErrorLog log)
    {
        _interpreter = interpreter;
        _options = options;
        _log = log;
        ModuleName = ModuleNameFor(options.ScriptPath);
        _times = new FileTimes(options.ScriptPath);
    }

    private readonly FileTimes _times;

    public string ModuleName { get; }

    /// <summary>True once the script has been executed successfully (it may have been reloaded since).</summary>
    public bool IsLoaded => _loaded != null;

    public static string ModuleNameFor(string path) =>
        "_mod_wsgi_" + Md5.Hex(path);

    /// <summary>The loaded state: the module and its callable (null when the callable is missing).</summary>
    internal sealed record Loaded(PyRef Module, PyRef? Callable, DateTime ModifiedUtc);

    /// <summary>
    /// The application callable, loading or reloading the script as needed, as the script is
    /// on disk when the request arrived (<paramref name="arrived"/>, a Stopwatch timestamp).
    /// Called without the GIL. NotFound and Failed have been logged; the caller answers 404 or 500.
    /// </summary>
    public LoadOutcome Ensure(IWsgiExchange exchange, long arrived)
    {
        // One stat per request, as mod_wsgi does; a missing file reads as the 1601 epoch.
        if (_times.LastWriteUtc(arrived) is not DateTime mtime)
        {
            _log.Write(ErrorLogLevel.Error, "wsgi", $"[client {exchange.ClientForLog}] Target WSGI script not found or unable to stat: {_options.ScriptPath}");
            return LoadOutcome.NotFound;
        }

        Loaded? loaded = _loaded;
        if (loaded == null || (_options.ScriptReloading && loaded.ModifiedUtc != mtime))
        {
            EnterLoadLock();
            try
            {
                loaded = _loaded;
                if (loaded == null || (_options.ScriptReloading && loaded.ModifiedUtc != mtime))
                {
                    loaded = Load(mtime, loaded, exchange.ClientForLog);
                    if (loaded == null)
                    {
                        return LoadOutcome.Failed;
                    }
                    _loaded = loaded;
                }
            }
            finally
            {
                _loadLock.Exit();
            }
        }
        if (loaded.Callable == null)
        {
            _log.Write(ErrorLogLevel.Error, "wsgi",
                $"[client {exchange.ClientForLog}] Target WSGI script '{_options.ScriptPath}' does not contain WSGI application '{_options.CallableObject}'.");
            return LoadOutcome.NotFound;
        }
        return LoadOutcome.Ready;
    }

    /// <summary>
    /// Takes the load lock. A WSGI thread may hold the GIL here (it keeps it between requests),
    /// while the thread loading the script needs the GIL back to finish: so wait for the lock
    /// without the GIL, or the two would wait for each other.
    /// </summary>
    private void EnterLoadLock()
    {
        if (_loadLock.TryEnter())
        {
            return;
        }
        using GilRelease released = GilScope.Current != null ? GilScope.Release() : default;
        _loadLock.Enter();
    }

    /// <summary>
    /// A new reference to the current callable, taken with the GIL held: a reload on another
    /// thread releases the old one only under the GIL, so this never sees a freed object.
    /// </summary>
    public PyOwned TakeCallable()
    {
        PyRef? callable = _loaded?.Callable;
        return callable == null || callable.Handle == 0 ? PyOwned.NewOrNull(0) : callable.NewReference();
    }

    private Loaded? Load(DateTime mtime, Loaded? previous, string client)
    {
        using var gil = GilScope.Acquire(_interpreter);
        if (previous != null)
        {
            _log.Write(ErrorLogLevel.Info, "wsgi", $"Reloading WSGI script '{_options.ScriptPath}' (modified).");
            previous.Callable?.Release();
            previous.Module.Release();
        }
        try
        {
            using var module = Exec(_interpreter, ModuleName, _options.ScriptPath, mtime);
            using var callable = Py.GetAttrOrNull(module.Borrow(), _options.CallableObject);
            PyRef? kept = callable.IsNull ? null : callable.Keep();
            return new Loaded(module.Keep(), kept, mtime);
        }
        catch (PythonException e)
        {
            _log.Write(ErrorLogLevel.Error, "wsgi",
                $"[client {client}] Failed to exec Python script file '{_options.ScriptPath}'.\n" +
                $"Exception occurred processing WSGI script '{_options.ScriptPath}'.\n{e.PythonTraceback}{SubInterpreterHint(e.PythonTraceback)}{MissingModuleHint.For(e, _options.ScriptPath)}");
            NoteIsolationRefused(e.PythonTraceback);
            return null;
        }
    }

    /// <summary>
    /// Set when the script, or a module it imports, cannot run in this interpreter because it is
    /// one of an application's extra isolated interpreters (WSGIApplicationInterpreters): the
    /// executor sends its requests to the application's other interpreters from then on.
    /// </summary>
    public bool IsolationRefused => _isolationRefused;

    // Set by the WSGI thread that found out, read by the executor's picks on others.
    private volatile bool _isolationRefused;

    /// <summary>Marks <see cref="IsolationRefused"/> when <paramref name="traceback"/>, from this interpreter, is an extension refusing isolation.</summary>
    internal void NoteIsolationRefused(string traceback)
    {
        if (_interpreter.Replica == 0 || IsolationRefused || !RefusesIsolation(traceback))
        {
            return;
        }
        _isolationRefused = true;
        _log.Write(ErrorLogLevel.Warning, "wsgi",
            $"WSGI script '{_options.ScriptPath}' cannot run in interpreter {_interpreter.Replica + 1} of application group '{_interpreter.GroupLabel}' " +
            "(an extension module refuses isolated sub-interpreters): its requests go to the application's other interpreters from now on.");
    }

    /// <summary>
    /// CPython's refusal of a single-phase or non-isolated extension ("module X does not support
    /// loading in subinterpreters") and Cython's ("Interpreter change detected"): an ImportError
    /// that names interpreters.
    /// </summary>
    internal static bool RefusesIsolation(string traceback)
    {
        foreach (string line in traceback.Split('\n'))
        {
            if (line.StartsWith("ImportError: ", StringComparison.Ordinal) && line.Contains("interpreter", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Extension modules that cannot run in a sub-interpreter fail to import there (numpy,
    /// PyO3 modules, anything using the PyGILState API). Name the fix next to the traceback.
    /// </summary>
    private string SubInterpreterHint(string traceback) => SubInterpreterHint(_interpreter, traceback);

    /// <summary>The same hint for a traceback from <paramref name="interpreter"/>: at load or during a request (a lazy import).</summary>
    internal static string SubInterpreterHint(Interpreter interpreter, string traceback) =>
        (interpreter.Name.Length > 0 || interpreter.Replica > 0) && (traceback.Contains("ImportError", StringComparison.Ordinal)
            || traceback.Contains("interpreter", StringComparison.OrdinalIgnoreCase))
            ? interpreter.Replica > 0
                ? $"\nThis script runs in interpreter {interpreter.Replica + 1} of application group '{interpreter.GroupLabel}', " +
                  "an isolated sub-interpreter with its own GIL (WSGIApplicationInterpreters, --interpreters). If the failing import is an " +
                  "extension module that does not support isolated sub-interpreters, run the application in one interpreter " +
                  "(WSGIApplicationInterpreters 1, or interpreters=1 on its WSGIDaemonProcess) and use processes for more cores " +
                  "(a daemon group's processes=, or --server-processes)."
                : $"\nThis script runs in the sub-interpreter of application group '{interpreter.Name}'. If the failing import is an " +
                  "extension module that does not support sub-interpreters, serve the application from the main interpreter " +
                  "with WSGIApplicationGroup %{GLOBAL} (or give it a daemon process group of its own)."
            : "";

    /// <summary>Runs load_script for the file as it is at <paramref name="mtime"/>; the GIL must be held.</summary>
    private static PyOwned Exec(Interpreter interpreter, string moduleName, string scriptPath, DateTime mtime)
    {
        using var name = Py.Utf8(moduleName);
        using var path = Py.Utf8(scriptPath);
        using var stamp = Py.Long(mtime.Ticks);
        return Py.Call(interpreter.Bootstrap.LoadScript.Borrow(), name.Borrow(), path.Borrow(), stamp.Borrow());
    }

    /// <summary>
    /// WSGIImportScript: loads the script into the interpreter at startup, so module-level setup
    /// (Django's) runs before the first request, which then reuses the module. False after
    /// logging when the script fails.
    /// </summary>
    public static bool Preload(PythonRuntime runtime, Interpreter target, string scriptPath, IErrorLog log)
    {
        DateTime mtime = File.GetLastWriteTimeUtc(scriptPath);
        bool loaded = false;
        runtime.RunWithGil(target, interpreter =>
        {
            try
            {
                using PyOwned module = Exec(interpreter, ModuleNameFor(scriptPath), scriptPath, mtime);
                log.Write(ErrorLogLevel.Info, "wsgi", $"Imported WSGI script '{scriptPath}' at startup.");
                loaded = true;
            }
            catch (PythonException e)
            {
                log.Write(ErrorLogLevel.Error, "wsgi",
                    $"Failed to exec Python script file '{scriptPath}' (WSGIImportScript).\n{e.PythonTraceback}{MissingModuleHint.For(e, scriptPath)}");
            }
        });
        return loaded;
    }

    /// <summary>Drops the module and callable; the interpreter's GIL must be held.</summary>
    public void Release()
    {
        Loaded? loaded = _loaded;
        _loaded = null;
        loaded?.Callable?.Release();
        loaded?.Module.Release();
    }
}

internal enum LoadStatus
{
    Ready,
    NotFound,
    Failed,
}

internal readonly record struct LoadOutcome(LoadStatus Status)
{
    public static LoadOutcome Ready => new(LoadStatus.Ready);

    public static LoadOutcome NotFound => new(LoadStatus.NotFound);

    public static LoadOutcome Failed => new(LoadStatus.Failed);
}
