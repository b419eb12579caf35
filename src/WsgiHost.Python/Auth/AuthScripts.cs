using System.Collections.Concurrent;
using System.Text;
using WsgiHost.Python.Refs;
using WsgiHost.Python.Runtime;
using WsgiHost.Python.Wsgi;

namespace WsgiHost.Python.Auth;

/// <summary>
/// mod_wsgi's Python authentication hooks, run in this process as mod_wsgi runs them in Apache's
/// children (never in a daemon process): a WSGIAuthUserScript's <c>check_password(environ, user,
/// password)</c>, a WSGIAuthGroupScript's <c>groups_for_user(environ, user)</c> and a
/// WSGIAccessScript's <c>allow_access(environ, host)</c>, in the
/// interpreter of the script's application group ("" is the main one, the default). The script
/// is loaded as module _mod_wsgi_&lt;md5 of path&gt;, the name a WSGIScriptAlias of the same file
/// gets, so the two share one module in one interpreter, and it is loaded again when the file
/// changes. Calls run on the caller's thread, which keeps its Python thread state for later calls:
/// the server's hook threads (the request's own thread, before its app, in Apache).
/// </summary>
internal sealed class AuthScripts(PythonRuntime runtime)
{
    private readonly ConcurrentDictionary<(string Path, string Group), Script> _scripts = new();

    /// <summary>One script in one interpreter: the file's modification time last loaded, and the lock a load takes.</summary>
    private sealed class Script
    {
        public Lock LoadLock { get; } = new();

        public long LoadedTicks { get; set; } = -1;
    }

    /// <summary>
    /// check_password for <paramref name="user"/> and <paramref name="password"/>, as the client sent
    /// them (bytes read as Latin-1; the script gets them decoded as UTF-8 where they are, as browsers send).
    /// A failure has been logged with its traceback. Not on a thread that holds a GIL.
    /// </summary>
    /// <param name="path">The script, absolute.</param>
    /// <param name="applicationGroup">Its interpreter's application group, expanded ("" is the main interpreter).</param>
    /// <param name="reloading">WSGIScriptReloading: load the script again when it changes; Off keeps the module first loaded.</param>
    /// <param name="environ">The request's CGI variables (mod_wsgi's cut-down set: no Authorization, no SetEnv).</param>
    /// <param name="user">The user name sent.</param>
    /// <param name="password">The password sent.</param>
    /// <param name="client">The client, for the log lines.</param>
    /// <param name="log">Where failures go (the virtual host's error log).</param>
    public PasswordCheck CheckPassword(string path, string applicationGroup, bool reloading, IReadOnlyList<KeyValuePair<string, string>> environ, string user, string password, string client, IErrorLog log)
    {
        PasswordCheck check = new(PasswordVerdict.Failed);
        Run(path, applicationGroup, reloading, environ, client, log, "user authentication", (interpreter, module, env) =>
        {
            using var args = Arguments(env, 3);
            Py.SetTupleItem(args.Borrow(), 1, Py.Utf8(AsSent(user)).Steal());
            Py.SetTupleItem(args.Borrow(), 2, Py.Utf8(AsSent(password)).Steal());
            using var result = CallHook(module, "check_password", "user authentication", "'Basic' auth provider", path, client, log, args.Borrow());
            if (result.IsNull)
            {
                return;
            }
            using var answer = Py.Call(interpreter.Bootstrap.PasswordVerdict.Borrow(), result.Borrow());
            if (Py.IsNone(answer.Borrow()))
            {
                WrongType(path, client, log, "Basic auth provider must return True, False None or user name as string");
                return;
            }
            long outcome = Py.AsLong(Py.TupleItem(answer.Borrow(), 0));
            PyBorrowed name = Py.TupleItem(answer.Borrow(), 1);
            check = outcome switch
            {
                0 => new PasswordCheck(PasswordVerdict.Granted, Py.IsNone(name) || Py.Utf8Text(name) is not { Length: > 0 } renamed ? null : AsBytes(renamed)),
                1 => new PasswordCheck(PasswordVerdict.Denied),
                _ => new PasswordCheck(PasswordVerdict.UserNotFound),
            };
        });
        return check;
    }

    /// <summary>groups_for_user's groups for <paramref name="user"/>; null when the script failed (logged). Not on a thread that holds a GIL.</summary>
    public IReadOnlyList<string>? GroupsForUser(string path, string applicationGroup, bool reloading, IReadOnlyList<KeyValuePair<string, string>> environ, string user, string client, IErrorLog log)
    {
        List<string>? groups = null;
        Run(path, applicationGroup, reloading, environ, client, log, "group authorization", (interpreter, module, env) =>
        {
            using var args = Arguments(env, 2);
            Py.SetTupleItem(args.Borrow(), 1, Py.Utf8(AsSent(user)).Steal());
            using var result = CallHook(module, "groups_for_user", "group authorization", "group provider", path, client, log, args.Borrow());
            if (result.IsNull)
            {
                return;
            }
            using var answer = Py.Call(interpreter.Bootstrap.GroupNames.Borrow(), result.Borrow());
            if (Py.IsNone(answer.Borrow()))
            {
                WrongType(path, client, log, $"Groups for user returned from '{path}' must be an iterable sequence of byte strings.");
                return;
            }
            int count = Py.TupleSize(answer.Borrow());
            groups = new List<string>(count);
            for (int i = 0; i < count; i++)
            {
                groups.Add(Py.Utf8Text(Py.TupleItem(answer.Borrow(), i)));
            }
        });
        return groups;
    }

    /// <summary>
    /// allow_access for the client <paramref name="host"/>: true (allowed), null (no opinion) or false (denied,
    /// also when the script is missing, fails or answers something else, as mod_wsgi denies then; logged).
    /// Not on a thread that holds a GIL.
    /// </summary>
    public bool? AllowAccess(string path, string applicationGroup, bool reloading, IReadOnlyList<KeyValuePair<string, string>> environ, string host, string client, IErrorLog log)
    {
        bool? allowed = false;
        Run(path, applicationGroup, reloading, environ, client, log, "host access", (interpreter, module, env) =>
        {
            using var args = Arguments(env, 2);
            Py.SetTupleItem(args.Borrow(), 1, Py.Utf8(host).Steal());
            using var result = CallHook(module, "allow_access", "host access", "host validator", path, client, log, args.Borrow());
            if (result.IsNull)
            {
                return;
            }
            using var answer = Py.Call(interpreter.Bootstrap.AccessVerdict.Borrow(), result.Borrow());
            if (Py.IsNone(answer.Borrow()))
            {
                WrongType(path, client, log, $"Indicator of host accessibility returned from '{path}' must a boolean or None.");
                return;
            }
            allowed = Py.AsLong(answer.Borrow()) switch
            {
                0 => true,
                1 => false,
                _ => null,
            };
        });
        return allowed;
    }

    /// <summary>A hook answered something of the wrong type: logged as mod_wsgi logs the TypeError it raises (no frames: none of the script's ran).</summary>
    private static void WrongType(string path, string client, IErrorLog log, string message) =>
        log.Write(ErrorLogLevel.Error, "wsgi", $"[client {client}] Exception occurred processing WSGI script '{path}'.\nTypeError: {message}");

    /// <summary>A hook's argument tuple of <paramref name="count"/> items, the environ first; the caller sets the rest. GIL held.</summary>
    private static PyOwned Arguments(PyBorrowed environ, int count)
    {
        var args = Py.Tuple(count);
        Py.SetTupleItem(args.Borrow(), 0, PyOwned.FromBorrowed(environ.Handle).Steal());
        return args;
    }

    /// <summary>
    /// The script's <paramref name="function"/> called with <paramref name="args"/>: its answer, or null
    /// (logged as mod_wsgi words it) when the module has no such function. GIL held.
    /// </summary>
    private static PyOwned CallHook(PyBorrowed module, string function, string kind, string provides, string path, string client, IErrorLog log, PyBorrowed args)
    {
        using var hook = Py.GetAttrOrNull(module, function);
        if (hook.IsNull)
        {
            log.Write(ErrorLogLevel.Error, "wsgi", $"[client {client}] Target WSGI {kind} script '{path}' does not provide {provides} (a {function} function).");
            return PyOwned.NewOrNull(0);
        }
        return Py.CallTuple(hook.Borrow(), args);
    }

    /// <summary>
    /// Loads the script as needed, then runs <paramref name="call"/> with its module and the environ,
    /// under the interpreter's GIL. A script that is missing, fails to load or raises is logged.
    /// </summary>
    private void Run(string path, string applicationGroup, bool reloading, IReadOnlyList<KeyValuePair<string, string>> environ, string client, IErrorLog log, string kind,
        Action<Interpreter, PyBorrowed, PyBorrowed> call)
    {
        // One stat a call, as mod_wsgi makes for its reload check.
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            log.Write(ErrorLogLevel.Error, "wsgi", $"[client {client}] Target WSGI {kind} script '{path}' does not exist.");
            return;
        }
        long ticks = file.LastWriteTimeUtc.Ticks;
        // Created on first use; that cannot be done holding a GIL.
        Interpreter interpreter = runtime.InterpreterFor(applicationGroup);
        Script script = _scripts.GetOrAdd((path, applicationGroup), static _ => new Script());
        if (!reloading && script.LoadedTicks >= 0)
        {
            // WSGIScriptReloading Off: the module as first loaded, whatever the file is now.
            ticks = script.LoadedTicks;
        }
        if (script.LoadedTicks != ticks)
        {
            // The first call (or the first after a change) runs the module alone: another thread
            // waits here, without the GIL, which the loading one needs back for imports that block.
            lock (script.LoadLock)
            {
                if (script.LoadedTicks != ticks && Load(interpreter, path, ticks, client, log, kind))
                {
                    script.LoadedTicks = ticks;
                }
            }
            if (script.LoadedTicks != ticks)
            {
                return;
            }
        }
        using var gil = GilScope.Acquire(interpreter);
        try
        {
            using var module = Exec(interpreter, path, ticks);
            using var env = Environ(interpreter, environ, applicationGroup, reloading);
            call(interpreter, module.Borrow(), env.Borrow());
        }
        catch (PythonException e)
        {
            log.Write(ErrorLogLevel.Error, "wsgi", $"[client {client}] Exception occurred processing WSGI script '{path}'.\n{e.PythonTraceback}");
        }
    }

    private static bool Load(Interpreter interpreter, string path, long ticks, string client, IErrorLog log, string kind)
    {
        using var gil = GilScope.Acquire(interpreter);
        try
        {
            using var module = Exec(interpreter, path, ticks);
            return true;
        }
        catch (PythonException e)
        {
            log.Write(ErrorLogLevel.Error, "wsgi",
                $"[client {client}] Failed to exec Python script file '{path}' (the WSGI {kind} script).\n{e.PythonTraceback}{MissingModuleHint.For(e, path)}");
            return false;
        }
    }

    /// <summary>The module as the file is at <paramref name="ticks"/>: sys.modules' when it is that one, else run again. GIL held.</summary>
    private static PyOwned Exec(Interpreter interpreter, string path, long ticks)
    {
        using var name = Py.Utf8(WsgiScript.ModuleNameFor(path));
        using var file = Py.Utf8(path);
        using var stamp = Py.Long(ticks);
        return Py.Call(interpreter.Bootstrap.LoadScript.Borrow(), name.Borrow(), file.Borrow(), stamp.Borrow());
    }

    /// <summary>mod_wsgi's Auth_environ: the request's variables, wsgi.errors and the mod_wsgi keys (no wsgi.input, no wsgi.version). GIL held.</summary>
    private static PyOwned Environ(Interpreter interpreter, IReadOnlyList<KeyValuePair<string, string>> variables, string applicationGroup, bool reloading)
    {
        var dict = Py.Dict();
        var env = dict.Borrow();
        foreach (var (key, value) in variables)
        {
            using var v = Py.Latin1(value);
            Py.DictSet(env, key, v.Borrow());
        }
        Py.DictSet(env, "wsgi.errors", interpreter.Bootstrap.Errors.Borrow());
        using (var version = WsgiGateway.ModWsgiVersionTuple())
        {
            Py.DictSet(env, "mod_wsgi.version", version.Borrow());
        }
        using (var v = Py.Latin1("")) { Py.DictSet(env, "mod_wsgi.process_group", v.Borrow()); }
        using (var v = Py.Latin1(applicationGroup)) { Py.DictSet(env, "mod_wsgi.application_group", v.Borrow()); }
        // An int here, where the app's environ has a str: mod_wsgi's Auth_environ builds it so.
        using (var v = Py.Long(reloading ? 1 : 0)) { Py.DictSet(env, "mod_wsgi.script_reloading", v.Borrow()); }
        return dict;
    }

    /// <summary>A name the script gave, as the bytes of the user's name are kept (UTF-8 read as Latin-1), as mod_wsgi stores it in r->user.</summary>
    private static string AsBytes(string text) => Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(text));

    /// <summary>Latin-1-read bytes as the text the client meant: UTF-8 where they are valid UTF-8 (what browsers send), else Latin-1.</summary>
    private static string AsSent(string latin1)
    {
        byte[] bytes = Encoding.Latin1.GetBytes(latin1);
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return latin1;
        }
    }
}
