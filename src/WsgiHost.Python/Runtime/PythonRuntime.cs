using System.Collections.Concurrent;
using WsgiHost.Python.Interop;
using WsgiHost.Python.Refs;
using WsgiHost.Python.Wsgi;

namespace WsgiHost.Python.Runtime;

/// <summary>
/// The one embedded CPython of this process. Initialisation and finalisation run on a
/// dedicated "python-main" thread, which owns the main interpreter's first thread state;
/// request threads get their own cached thread states.
/// </summary>
public sealed unsafe class PythonRuntime : IDisposable
{
    private static int s_started;

    private readonly BlockingCollection<Action> _mainQueue = new();
    private readonly Thread _mainThread;
    private readonly PythonRuntimeOptions _options;
    private readonly IErrorLog _log;
    private nint _mainThreadState;
    private Interpreter? _main;
    private readonly ConcurrentDictionary<string, Lazy<Interpreter>> _subInterpreters = new(StringComparer.Ordinal);
    private readonly List<Interpreter> _created = [];

    /// <summary>The process environment at start, which every new sub-interpreter's os.environ starts from.</summary>
    private readonly KeyValuePair<string, string>[] _startEnvironment = [.. System.Environment.GetEnvironmentVariables()
        .Cast<System.Collections.DictionaryEntry>()
        .Select(e => new KeyValuePair<string, string>((string)e.Key, (string?)e.Value ?? ""))];
    private int _disposed;

    private PythonRuntime(PythonInstallation installation, PythonRuntimeOptions options, IErrorLog log)
    {
        Installation = installation;
        _options = options;
        _log = log;
        _mainThread = new Thread(MainLoop) { Name = "python-main", IsBackground = true };
    }

    internal PythonInstallation Installation { get; }

    /// <summary>Path of the Python executable whose environment is embedded.</summary>
    public string Executable => Installation.Executable;

    /// <summary>The embedded Python's version, e.g. 3.11.2.</summary>
    public string Version => Installation.Version;

    /// <summary>Path of the libpython shared library that was loaded.</summary>
    public string LibraryPath => Installation.LibraryPath;

    /// <summary>A file every new interpreter reads as it starts (encodings/__init__.py of the standard library), where the usual layout puts it.</summary>
    public string StandardLibraryProbe =>
        Path.Combine(Installation.BasePrefix, "lib", "python" + string.Join('.', Version.Split('.').Take(2)), "encodings", "__init__.py");

    internal Interpreter MainInterpreter => _main ?? throw new InvalidOperationException("Python is not started");

    /// <summary>
    /// The interpreter of an application group: "" (%{GLOBAL}) is the main interpreter, any
    /// other name a sub-interpreter created on first use, as mod_wsgi does. Must not be called
    /// by a thread that holds the GIL (creation runs on python-main, which needs it).
    /// </summary>
    internal Interpreter InterpreterFor(string applicationGroup)
    {
        if (applicationGroup.Length == 0)
        {
            return MainInterpreter;
        }
        return SubInterpreter(applicationGroup, applicationGroup, 0, _ownGil);
    }

    /// <summary>
    /// Interpreter <paramref name="replica"/> (from 0) of an application group that runs its
    /// applications in several interpreters (WSGIApplicationInterpreters): 0 is the group's own
    /// (<see cref="InterpreterFor(string)"/>), every other one a sub-interpreter with a GIL of its own,
    /// created on first use and shared by the group's scripts as the group's own interpreter
    /// is. Needs <see cref="OwnGilSupported"/>. Not by a thread that holds the GIL.
    /// </summary>
    internal Interpreter InterpreterFor(string applicationGroup, int replica)
    {
        if (replica == 0)
        {
            return InterpreterFor(applicationGroup);
        }
        if (!OwnGilSupported)
        {
            throw new InvalidOperationException($"Python {Installation.Version} cannot run sub-interpreters with a GIL of their own (3.13 or later can)");
        }
        // NUL cannot occur in a configured group name, so the key meets no group of its own.
        return SubInterpreter($"{applicationGroup}\0{replica}", applicationGroup, replica, ownGil: true);
    }

    /// <summary>The sub-interpreter kept under <paramref name="key"/>, created on first use.</summary>
    private Interpreter SubInterpreter(string key, string applicationGroup, int replica, bool ownGil)
    {
        if (GilScope.Current != null)
        {
            throw new InvalidOperationException("an interpreter cannot be created by a thread that holds the GIL");
        }
        return _subInterpreters.GetOrAdd(key, _ => new Lazy<Interpreter>(() => CreateSubInterpreter(applicationGroup, replica, ownGil))).Value;
    }

    /// <summary>How many interpreters each application runs in: <see cref="PythonRuntimeOptions.ApplicationInterpreters"/>, or 1 where this Python cannot.</summary>
    internal int ApplicationInterpreters { get; private set; } = 1;

    /// <summary>Sub-interpreters with a GIL of their own work here: Python 3.13 or later (see <see cref="Initialize"/>).</summary>
    internal bool OwnGilSupported { get; private set; }

    /// <summary>
    /// Py_NewInterpreter on python-main with the main thread state current (the embedding
    /// notes' sequence): the new interpreter gets the bootstrap module, the process environment
    /// as it was at start, and the configured python-path; then python-main swaps back to the
    /// main thread state and lets the GIL go. Its creating thread state stays python-main's.
    /// </summary>
    private Interpreter CreateSubInterpreter(string name, int replica, bool ownGil)
    {
        Interpreter? created = null;
        RunOnMain(() =>
        {
            LibPython.PyEval_RestoreThread(_mainThreadState);
            nint ts = 0;
            try
            {
                ts = ownGil ? NewIsolatedInterpreter(name) : LibPython.Py_NewInterpreter();
                if (ts == 0)
                {
                    throw new InvalidOperationException($"Py_NewInterpreter failed for application group '{name}'");
                }
                var interpreter = new Interpreter(name, LibPython.PyInterpreterState_Get(), ts) { OwnGil = ownGil, Replica = replica };
                interpreter.Bootstrap = Bootstrap.Install([.. LogFunctions.Definitions(), .. InputFunctions.Definitions()]);
                IsolateEnvironment(interpreter);
                if (_options.PythonPath.Count > 0)
                {
                    AddPythonPath(interpreter, _options.PythonPath);
                }
                // After python-path: an installed mod_wsgi package there is the one extended.
                InstallModWsgi(interpreter);
                lock (_created)
                {
                    _created.Add(interpreter);
                }
                created = interpreter;
            }
            finally
            {
                if (ownGil && ts != 0)
                {
                    // Creating it let the main GIL go and took the new one: let that go too.
                    LibPython.PyEval_SaveThread();
                }
                else
                {
                    LibPython.PyThreadState_Swap(_mainThreadState);
                    _mainThreadState = LibPython.PyEval_SaveThread();
                }
            }
        });
        _log.Write(ErrorLogLevel.Info, "wsgi", replica > 0
            ? $"Create interpreter {replica + 1} of application group '{created!.GroupLabel}' with its own GIL."
            : $"Create interpreter '{name}'{(ownGil ? " with its own GIL" : "")}.");
        return created!;
    }

    /// <summary>Py_NewInterpreterFromConfig with the isolated (own GIL) settings; the caller holds the main GIL.</summary>
    private static nint NewIsolatedInterpreter(string name)
    {
        PyInterpreterConfig config = PyInterpreterConfig.Isolated;
        nint ts = 0;
        PyStatus status = LibPython.Py_NewInterpreterFromConfig(&ts, &config);
        if (status.IsException)
        {
            throw new InvalidOperationException($"Py_NewInterpreterFromConfig (own GIL) failed for application group '{name}': {status.Message}");
        }
        return ts;
    }

    /// <summary>Sub-interpreters get their own GIL: asked for, and this Python can.</summary>
    private bool _ownGil;

    /// <summary>The `mod_wsgi` module, as mod_wsgi gives every interpreter (bootstrap.py's install_mod_wsgi).</summary>
    private void InstallModWsgi(Interpreter interpreter)
    {
        using var args = Py.Tuple(5);
        Py.SetTupleItem(args.Borrow(), 0, Py.Utf8(interpreter.Name).Steal());
        Py.SetTupleItem(args.Borrow(), 1, Py.Utf8(_options.ProcessGroup).Steal());
        Py.SetTupleItem(args.Borrow(), 2, Py.Long(_options.MaximumProcesses).Steal());
        Py.SetTupleItem(args.Borrow(), 3, Py.Long(_options.ThreadsPerProcess).Steal());
        Py.SetTupleItem(args.Borrow(), 4, Wsgi.WsgiGateway.ModWsgiVersionTuple().Steal());
        using var install = Py.GetAttr(interpreter.Bootstrap.Module.Borrow(), "install_mod_wsgi");
        using var result = Py.CallTuple(install.Borrow(), args.Borrow());
    }

    private void IsolateEnvironment(Interpreter interpreter)
    {
        using var items = Py.Tuple(_startEnvironment.Length);
        for (int i = 0; i < _startEnvironment.Length; i++)
        {
            using var pair = Py.Tuple(2);
            Py.SetTupleItem(pair.Borrow(), 0, Py.Utf8(_startEnvironment[i].Key).Steal());
            Py.SetTupleItem(pair.Borrow(), 1, Py.Utf8(_startEnvironment[i].Value).Steal());
            Py.SetTupleItem(items.Borrow(), i, pair.Steal());
        }
        using var isolate = Py.GetAttrOrNull(interpreter.Bootstrap.Module.Borrow(), "isolate_environ");
        using var result = Py.Call(isolate.Borrow(), items.Borrow());
    }

    /// <summary>Locates the Python, loads libpython and initialises it. Only once per process.</summary>
    public static PythonRuntime Start(string? python, string? pythonHome, PythonRuntimeOptions options, IErrorLog log)
    {
        PythonInstallation installation = PythonInstallation.Locate(python, pythonHome);
        if (Interlocked.Exchange(ref s_started, 1) != 0)
        {
            throw new InvalidOperationException("an embedded Python is already running in this process");
        }
        var runtime = new PythonRuntime(installation, options, log);
        runtime.Initialize();
        return runtime;
    }

    /// <summary>Describes which Python would be loaded, without loading it.</summary>
    public static string Describe(string? python, string? pythonHome) => Describe(PythonInstallation.Locate(python, pythonHome));

    internal static string Describe(PythonInstallation i) =>
        $"Python {i.Version} ({i.Executable}, {i.LibraryPath}{(i.IsVirtualEnvironment ? ", virtualenv " + i.Prefix : "")})";

    /// <summary>
    /// Whether a Python of <paramref name="version"/> runs sub-interpreters with a GIL each
    /// (own GIL, several interpreters an application). PEP 684 arrived in 3.12, but an embedding
    /// process that ends an isolated sub-interpreter aborts in 3.12's Py_FinalizeEx ("free():
    /// invalid pointer", seen with 3.12.1; 3.13 finalises cleanly), so WsgiHost uses it from 3.13.
    /// </summary>
    internal static bool RunsIsolatedInterpreters(string version) =>
        System.Version.TryParse(version, out Version? parsed) && parsed >= new Version(3, 13);

    private void Initialize()
    {
        LogFunctions.SetLog(_log);
        LibPython.Load(Installation.LibraryPath);
        bool supported = LibPython.Py_NewInterpreterFromConfig != null && RunsIsolatedInterpreters(Installation.Version);
        OwnGilSupported = supported;
        _ownGil = _options.OwnGil && supported;
        ApplicationInterpreters = supported ? _options.ApplicationInterpreters : 1;
        if (_options.ApplicationInterpreters > 1 && !supported)
        {
            _log.Write(ErrorLogLevel.Warning, "wsgi",
                $"Running each application in {_options.ApplicationInterpreters} interpreters (WSGIApplicationInterpreters, --interpreters) needs Python 3.13 or later; Python {Installation.Version} runs each in one. " +
                "For Python on several cores use server processes (--server-processes) or a daemon group with processes=.");
        }
        if (_options.OwnGil && !_ownGil)
        {
            _log.Write(ErrorLogLevel.Warning, "wsgi",
                $"Sub-interpreters with their own GIL (WSGISubInterpreterGIL Own) need Python 3.13 or later here; Python {Installation.Version} runs every application group under one GIL.");
        }
        _mainThread.Start();
        RunOnMain(() =>
        {
            SetProgramName(Installation.Executable);
            // Read by Py_InitializeEx, as python -O sets it; still exported (deprecated) up to 3.14.
            if (_options.Optimize > 0 && !LibPython.TrySetGlobalInt("Py_OptimizeFlag", _options.Optimize))
            {
                _log.Write(ErrorLogLevel.Warning, "wsgi", $"WSGIPythonOptimize {_options.Optimize} is not applied: Python {Installation.Version} has no Py_OptimizeFlag to set.");
            }
            // 0: Python installs no signal handlers; SIGINT/SIGTERM stay with the .NET host.
            LibPython.Py_InitializeEx(0);
            if (LibPython.Py_IsInitialized() == 0)
            {
                throw new InvalidOperationException("Py_InitializeEx failed");
            }
            nint ts = LibPython.PyThreadState_Get();
            var main = new Interpreter("", LibPython.PyInterpreterState_Get(), ts);
            main.Bootstrap = Bootstrap.Install([.. LogFunctions.Definitions(), .. InputFunctions.Definitions()]);
            if (_options.PythonPath.Count > 0)
            {
                AddPythonPath(main, _options.PythonPath);
            }
            InstallModWsgi(main);
            _main = main;
            _mainThreadState = LibPython.PyEval_SaveThread();
        });
    }

    private static void AddPythonPath(Interpreter interpreter, IReadOnlyList<string> directories)
    {
        using var list = Py.Tuple(directories.Count);
        for (int i = 0; i < directories.Count; i++)
        {
            Py.SetTupleItem(list.Borrow(), i, Py.Utf8(directories[i]).Steal());
        }
        using var result = Py.Call(interpreter.Bootstrap.AddPythonPath.Borrow(), list.Borrow());
    }

    /// <summary>
    /// Sets the program name so sys.executable, sys.prefix and sys.path match that Python
    /// (a virtualenv's site-packages included). Without it Python searches PATH for
    /// "python3" and may find a different one (a pyenv shim).
    /// </summary>
    private static void SetProgramName(string executable)
    {
        byte[] utf8 = Py.NulTerminated(executable);
        nint wide;
        fixed (byte* p = utf8)
        {
            wide = LibPython.Py_DecodeLocale(p, null);
        }
        if (wide == 0)
        {
            throw new InvalidOperationException($"cannot decode the program name {executable}");
        }
        // Python keeps the pointer until finalisation; it is deliberately never freed.
        LibPython.Py_SetProgramName(wide);
    }

    /// <summary>The source files of the modules the main interpreter has loaded (sys.modules), for --reload-on-changes.</summary>
    public IReadOnlyList<string> LoadedModuleFiles()
    {
        string joined = "";
        RunWithGil(MainInterpreter, interpreter =>
        {
            using var function = Py.GetAttr(interpreter.Bootstrap.Module.Borrow(), "module_files");
            using var result = Py.CallNoArgs(function.Borrow());
            joined = Py.Utf8Text(result.Borrow());
        });
        return joined.Split('\0', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>Removes the cached bytecode (.pyc) of a changed source file, so the next import compiles it afresh.</summary>
    public void ForgetBytecode(string sourceFile) => RunWithGil(MainInterpreter, interpreter =>
    {
        using var function = Py.GetAttr(interpreter.Bootstrap.Module.Borrow(), "forget_bytecode");
        using var path = Py.Utf8(sourceFile);
        using var result = Py.Call(function.Borrow(), path.Borrow());
    });

    /// <summary>
    /// Runs startup work (WSGIImportScript) on the python-main thread holding the
    /// interpreter's GIL through python-main's own thread state for it, so no other thread
    /// gains a thread state it would never use again.
    /// </summary>
    internal void RunWithGil(Interpreter interpreter, Action<Interpreter> work) => RunOnMain(() =>
    {
        using var gil = GilScope.Acquire(interpreter);
        work(interpreter);
    });

    private void RunOnMain(Action action)
    {
        Exception? failure = null;
        using var done = new ManualResetEventSlim();
        _mainQueue.Add(() =>
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                done.Set();
            }
        });
        done.Wait();
        if (failure != null)
        {
            throw new InvalidOperationException(failure.Message, failure);
        }
    }

    /// <summary>
    /// Ends the sub-interpreters, newest first, holding the GIL as main: each one's other
    /// thread states are deleted before Py_EndInterpreter (which aborts the process if another
    /// remains), then python-main swaps back to the main thread state.
    /// </summary>
    private void EndSubInterpreters()
    {
        List<Interpreter> subs;
        lock (_created)
        {
            subs = [.. _created];
            _created.Clear();
        }
        for (int i = subs.Count - 1; i >= 0; i--)
        {
            Interpreter sub = subs[i];
            if (sub.OwnGil)
            {
                // Its GIL is not the main one: let the main GIL go, take the sub-interpreter's,
                // end it (its GIL ends with it, no thread state is current), take main back.
                _mainThreadState = LibPython.PyEval_SaveThread();
                LibPython.PyEval_RestoreThread(sub.CreatorThreadState);
                sub.ReleaseForShutdown(sub.CreatorThreadState);
                LibPython.Py_EndInterpreter(sub.CreatorThreadState);
                LibPython.PyEval_RestoreThread(_mainThreadState);
                continue;
            }
            LibPython.PyThreadState_Swap(sub.CreatorThreadState);
            sub.ReleaseForShutdown(sub.CreatorThreadState);
            LibPython.Py_EndInterpreter(sub.CreatorThreadState);
            LibPython.PyThreadState_Swap(_mainThreadState);
        }
    }

    private void MainLoop()
    {
        foreach (Action action in _mainQueue.GetConsumingEnumerable())
        {
            action();
        }
    }

    /// <summary>
    /// Finalises Python on its main thread: deletes the request threads' states, then
    /// Py_FinalizeEx (atexit handlers run). A finalisation that does not end within the
    /// timeout (a non-daemon thread that never exits) is logged and abandoned, so shutdown
    /// never hangs.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0 || _main == null)
        {
            return;
        }
        var finished = new ManualResetEventSlim();
        _mainQueue.Add(() =>
        {
            try
            {
                LibPython.PyEval_RestoreThread(_mainThreadState);
                EndSubInterpreters();
                // Final flush of partial lines still sitting in sys.stdout / sys.stderr.
                using (var flush = Py.GetAttrOrNull(_main.Bootstrap.Errors.Borrow(), "flush"))
                {
                    if (!flush.IsNull)
                    {
                        nint r = LibPython.PyObject_CallObject(flush.Handle, 0);
                        if (r == 0) { LibPython.PyErr_Clear(); } else { LibPython.Py_DecRef(r); }
                    }
                }
                _main.ReleaseForShutdown(_mainThreadState);
                if (LibPython.Py_FinalizeEx() != 0)
                {
                    _log.Write(ErrorLogLevel.Warning, "wsgi", "Python finalisation reported an error (flushing buffered output failed)");
                }
                OpenSslThreadState.ReleaseForCurrentThread();
            }
            finally
            {
                finished.Set();
            }
        });
        bool ended = finished.Wait(_options.ShutdownTimeout);
        if (!ended)
        {
            _log.Write(ErrorLogLevel.Warning, "wsgi",
                $"Python did not finish shutting down within {_options.ShutdownTimeout.TotalSeconds:0.#} s " +
                "(a non-daemon thread or an atexit handler is still running); exiting without waiting for it");
        }
        _mainQueue.CompleteAdding();
        if (ended && Thread.CurrentThread != _mainThread)
        {
            // The thread ends too before the process goes on to exit: its end runs the
            // thread-local destructors of the C libraries Python used on it, which must not run
            // beside the process's exit handlers (see OpenSslThreadState).
            _mainThread.Join(TimeSpan.FromSeconds(5));
        }
    }
}
