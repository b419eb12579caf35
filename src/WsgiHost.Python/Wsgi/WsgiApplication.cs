using WsgiHost.Python.Refs;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Python.Wsgi;

/// <summary>
/// A mounted WSGI target in this process: its script, the interpreter it runs in, and the
/// per-interpreter base environ that every request's environ is copied from.
/// </summary>
public sealed class WsgiApplication
{
    private readonly Lock _baseLock = new();
    private PyRef? _baseEnviron;

    internal WsgiApplication(Interpreter interpreter, WsgiApplicationOptions options, IErrorLog log)
    {
        Interpreter = interpreter;
        Options = options;
        Log = log;
        Script = new WsgiScript(interpreter, options, log);
    }

    /// <summary>The script, callable and switches this application was created with.</summary>
    public WsgiApplicationOptions Options { get; }

    internal Interpreter Interpreter { get; }

    internal WsgiScript Script { get; }

    /// <summary>
    /// With WSGIApplicationInterpreters above 1, the application in each of its interpreters
    /// (this one first), each with its own module; the executor runs a request in the one whose
    /// GIL has the fewest requests queued and running. Null for one interpreter.
    /// </summary>
    internal WsgiApplication[]? Replicas { get; private set; }

    /// <summary>For the application in one of its extra interpreters, the application in the first; else null.</summary>
    internal WsgiApplication? Primary { get; private set; }

    internal IErrorLog Log { get; }

    /// <summary>
    /// An application in the interpreter of its application group (created on first use; "" is
    /// the main interpreter). The script is loaded on its first request. Must not be called from
    /// a thread holding the GIL.
    /// </summary>
    public static WsgiApplication Create(PythonRuntime runtime, WsgiApplicationOptions options, IErrorLog log)
    {
        int count = runtime.ApplicationInterpreters;
        if (count == 1)
        {
            return new WsgiApplication(runtime.InterpreterFor(options.ApplicationGroup), options, log);
        }
        // Module state is not shared between the interpreters, as between processes: the
        // application is told so (wsgi.multiprocess), as Django's and Flask's caches read it.
        WsgiApplicationOptions each = options with { MultiProcess = true };
        var replicas = new WsgiApplication[count];
        for (int i = 0; i < count; i++)
        {
            replicas[i] = new WsgiApplication(runtime.InterpreterFor(options.ApplicationGroup, i), each, log);
        }
        replicas[0].Replicas = replicas;
        for (int i = 1; i < count; i++)
        {
            replicas[i].Primary = replicas[0];
        }
        return replicas[0];
    }

    /// <summary>WSGIImportScript: load a script into the interpreter(s) of its application group at startup.</summary>
    public static bool Preload(PythonRuntime runtime, string scriptPath, string applicationGroup, IErrorLog log)
    {
        bool loaded = true;
        for (int i = 0; i < runtime.ApplicationInterpreters; i++)
        {
            loaded &= WsgiScript.Preload(runtime, runtime.InterpreterFor(applicationGroup, i), scriptPath, log);
        }
        return loaded;
    }

    /// <summary>The keys every request shares, built once in the interpreter. GIL held.</summary>
    internal PyBorrowed BaseEnviron()
    {
        PyRef? b = _baseEnviron;
        if (b != null)
        {
            return b.Borrow();
        }
        lock (_baseLock)
        {
            _baseEnviron ??= BuildBaseEnviron();
            return _baseEnviron.Borrow();
        }
    }

    private PyRef BuildBaseEnviron()
    {
        using var d = Py.Dict();
        var env = d.Borrow();
        using (var version = Py.Tuple(2))
        {
            Py.SetTupleItem(version.Borrow(), 0, Py.Long(1).Steal());
            Py.SetTupleItem(version.Borrow(), 1, Py.Long(0).Steal());
            Py.DictSet(env, "wsgi.version", version.Borrow());
        }
        using (var v = Py.Bool(Options.MultiThread)) { Py.DictSet(env, "wsgi.multithread", v.Borrow()); }
        using (var v = Py.Bool(Options.MultiProcess)) { Py.DictSet(env, "wsgi.multiprocess", v.Borrow()); }
        using (var v = Py.Bool(Options.RunOnce)) { Py.DictSet(env, "wsgi.run_once", v.Borrow()); }
        using (var v = Py.Bool(true)) { Py.DictSet(env, "wsgi.input_terminated", v.Borrow()); }
        Py.DictSet(env, "wsgi.errors", Interpreter.Bootstrap.Errors.Borrow());
        Py.DictSet(env, "wsgi.file_wrapper", Interpreter.Bootstrap.FileWrapperType.Borrow());
        using (var version = WsgiGateway.ModWsgiVersionTuple())
        {
            Py.DictSet(env, "mod_wsgi.version", version.Borrow());
        }
        using (var v = Py.Latin1(Options.ProcessGroup)) { Py.DictSet(env, "mod_wsgi.process_group", v.Borrow()); }
        using (var v = Py.Latin1(Options.ApplicationGroup)) { Py.DictSet(env, "mod_wsgi.application_group", v.Borrow()); }
        using (var v = Py.Latin1(Options.CallableObject)) { Py.DictSet(env, "mod_wsgi.callable_object", v.Borrow()); }
        using (var v = Py.Latin1(Options.ScriptReloading || Options.ReloadsByRestart ? "1" : "0")) { Py.DictSet(env, "mod_wsgi.script_reloading", v.Borrow()); }
        using (var v = Py.Utf8(Options.ScriptPath)) { Py.DictSet(env, "SCRIPT_FILENAME", v.Borrow()); }
        foreach (var (key, value) in Options.Environ)
        {
            using var v = Py.Latin1(value);
            Py.DictSet(env, key, v.Borrow());
        }
        return Interpreter.Hold(d.Keep());
    }
}
