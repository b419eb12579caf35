using System.Globalization;
using WsgiHost.Configuration.Model;
using WsgiHost.Python.Runtime;
using System.Net;
using WsgiHost.Configuration.Directives;
using WsgiHost.Configuration.Syntax;
using WsgiHost.Routing;

namespace WsgiHost.Cli.Commands;

/// <summary>
/// `wsgihost serve APP.wsgi [options]` to a SiteConfig: the configuration mod_wsgi-express
/// would generate (one WSGIScriptAlias, main interpreter, the script's folder as working
/// directory and first on sys.path).
/// </summary>
internal static class ServeOptionsParser
{
    public const string Usage = """
        usage: wsgihost serve APP.wsgi [options]
          --host ADDR                 listen address (default 127.0.0.1)
          --port N                    listen port (default 8000)
          --threads N                 WSGI request threads (default 5)
          --processes N               daemon worker processes that run the app (default 1, with --threads each), as mod_wsgi-express
          --embedded                  run the app in the server process instead (no worker processes)
          --user NAME                 run as this user once the port is bound, the worker processes too (the server starts as root), as mod_wsgi-express
          --group NAME                ... and this group (default: the user's primary group)
          --reload-on-changes         restart the worker when the source of any loaded module changes (development)
          --server-processes N        run N embedded server processes sharing the port (SO_REUSEPORT), each with its own Python and --threads
          --interpreters N            run the app in N interpreters of each process, each with its own GIL (Python 3.13+): Python on
                                      N cores in one process, the memory of one runtime (default 1)
          --cpu-scheduling POLICY     batch (default: a woken thread does not preempt a running one) or normal (Linux's default policy)
          --mount-point URL           URL the app is mounted at (default /)
          --url-alias URL PATH        serve a file or directory at URL (repeatable)
          --callable-object NAME      the WSGI callable in the script (default application)
          --application-type TYPE     script (default: APP.wsgi is a file) or module (APP is a dotted module name such as
                                      mysite.wsgi, imported from the working directory, as mod_wsgi-express)
          --entry-point APP           the script or module, as mod_wsgi-express takes it (or give it first)
          --python PATH               the python executable to embed
          --python-home DIR           a Python prefix or virtualenv to embed
          --python-path DIR           add DIR first on sys.path (repeatable)
          --working-directory DIR     working directory (default: the script's folder; for a module, the current folder)
          --server-name NAME          SERVER_NAME when a request has no Host header
          --https-port N              serve HTTPS on this port too, with the certificate below
          --ssl-certificate-file FILE --ssl-certificate-key-file FILE   the certificate and its key (PEM)
          --ssl-certificate BASE      ... or BASE.crt and BASE.key
          --https-only                redirect every request on --port to the same URL on --https-port (301)
          --hsts-policy POLICY        send Strict-Transport-Security: POLICY with HTTPS responses
          --access-log                log each request (to standard output, or access_log in --log-directory)
          --access-log-format FORMAT  common, combined (the default) or a LogFormat string
          --error-log FILE            error log file (default: standard error)
          --log-directory DIR         write error_log (and access_log) in DIR, as mod_wsgi-express
          --error-log-name NAME --access-log-name NAME   their file names in DIR
          --rotate-logs [--max-log-size MB]   rotate them with Apache's rotatelogs at MB (default 5)
          --log-to-terminal           log to the terminal whatever else is given (serve's default)
          --log-level LEVEL           debug|info|notice|warn|error|crit (default info)
          --pid-file FILE             write the server's PID to FILE while it runs (removed when it stops)
          --chunked-request           accept chunked request bodies (else 411)
          --pass-authorization        pass the Authorization header as HTTP_AUTHORIZATION
          --auth-user-script FILE     ask for a login on every URL and check it with FILE's check_password(environ, user, password)
          --auth-group-script FILE    ... and let in only members of --auth-group NAME (default wsgi) by FILE's groups_for_user(environ, user)
          --host-access-script FILE   admit or refuse clients by FILE's allow_access(environ, host) (True, False, or None for no opinion)
          --auth-type Basic           the only kind (send it over --https-port)
          --limit-request-body BYTES  reject larger request bodies with 413
          --setenv NAME VALUE         add NAME to every request's WSGI environ (repeatable)
          --passenv NAME              add NAME to the environ from the server's environment (repeatable)
          --trust-proxy-header NAME   take the client's address or scheme from this header (WSGITrustedProxyHeaders; repeatable)
          --trust-proxy ADDR          ... only from proxies at these addresses or networks (WSGITrustedProxies; repeatable)
          --keep-alive-timeout SECONDS  close an idle kept-alive connection after this long (default 5)
          --socket-timeout SECONDS    Apache's Timeout: how long a client may take to send or read (default 60)
          --compress-responses        gzip text, HTML, CSS, JavaScript and JSON responses for clients that accept it
          --x-sendfile-path DIR       send a file under DIR that the app names in an X-Sendfile header in place of its
                                      body (mod_xsendfile's XSendFile On with XSendFilePath DIR; repeatable)
          --no-reload                 do not re-execute the script when it changes
          --drain SECONDS             after SIGTERM, serve this long with connections closed after each
                                      response, then stop accepting (a load balancer sees the connections go)
          --graceful-shutdown-timeout SECONDS  after SIGTERM, how long running requests may take before
                                      they are cut off (Apache's GracefulShutdownTimeout; default 10, 0: no limit)
        daemon worker options, as mod_wsgi-express's (each sets the WSGIDaemonProcess option of its name):
          --maximum-requests N        replace a worker after N requests (default 0: never)
          --request-timeout SECONDS   504 and a new worker for a request without a response in time (default 60)
          --interrupt-timeout SECONDS with --request-timeout: first raise RequestTimeout in the request's thread (default 0)
          --queue-timeout SECONDS     504 for a request that waited this long for a thread (default 45)
          --inactivity-timeout, --restart-interval, --graceful-timeout (15), --eviction-timeout, --shutdown-timeout (5),
          --startup-timeout (15), --deadlock-timeout (60), --connect-timeout (15) SECONDS
          --cpu-time-limit SECONDS, --memory-limit BYTES, --virtual-memory-limit BYTES  (0: none)
          --header-buffer-size, --response-buffer-size, --send-buffer-size, --receive-buffer-size BYTES,
          --daemon-backlog N, --process-name NAME, --lang LANG, --locale LOCALE
        """;

    public static SiteConfig Parse(IReadOnlyList<string> args)
    {
        // --port=8080, as mod_wsgi-express takes it too: the same as --port 8080.
        args = ArgumentForms.Normalize(args);
        string? script = null;
        string host = "127.0.0.1";
        int port = 8000;
        int threads = 5;
        int interpreters = 1;
        string mountPoint = "/";
        string callable = "application";
        string? python = null, pythonHome = null, workingDirectory = null, serverName = null, user = null, group = null, pidFile = null;
        var pythonPath = new List<string>();
        var aliases = new List<AliasConfig>();
        var sendFilePaths = new List<XSendFilePath>();
        bool chunked = false, passAuth = false, reload = true, embedded = false, reloadOnChanges = false, compress = false, module = false;
        var daemonOptions = new ServeDaemonOptions();
        var https = new ServeHttps();
        var logs = new ServeLogOptions();
        var auth = new ServeAuth();
        var environ = new List<KeyValuePair<string, string?>>();
        var trustedHeaders = new List<string>();
        var trustedProxies = new List<string>();
        int? keepAlive = null, timeout = null;
        int? processes = null;
        int drain = 0;
        int? gracefulShutdown = null;
        long? limitBody = null;
        ErrorLogLevel level = ErrorLogLevel.Info;
        var generated = new SourceLocation("(wsgihost serve)", 0);

        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new UsageException($"{arg} needs a value");
            switch (arg)
            {
                case "--host": host = Value(); break;
                case "--port": port = Int(arg, Value(), 1, 65535); break;
                case "--threads": threads = Int(arg, Value(), 1, 1024); break;
                case "--interpreters": interpreters = Int(arg, Value(), 1, WsgiDirectives.MaxApplicationInterpreters); break;
                case "--embedded" or "--embedded-mode": embedded = true; break;
                case "--user": user = Value(); break;
                case "--group": group = Value(); break;
                case "--reload-on-changes": reloadOnChanges = true; break;
                case "--mount-point": mountPoint = Value(); break;
                case "--url-alias":
                    string url = Value();
                    string target = Value();
                    aliases.Add(new AliasConfig(url.StartsWith('/') ? url : "/" + url, false, Path.GetFullPath(target), generated));
                    break;
                case "--callable-object": callable = Value(); break;
                case "--application-type":
                    module = Value() switch
                    {
                        "script" => false,
                        "module" => true,
                        var other => throw new UsageException($"--application-type must be script or module, got '{other}'" +
                            (other == "paste" ? " (a PasteDeploy app: write a script that calls paste.deploy.loadapp)" : other == "static" ? " (serve files with --url-alias / DIR)" : "")),
                    };
                    break;
                case "--entry-point": script = Entry(script, Value()); break;
                case "--setenv": environ.Add(new(Value(), Value())); break;
                case "--passenv":
                    string name = Value();
                    // As Apache's PassEnv: the variable's value when the server started; one it does not have is left out.
                    if (Environment.GetEnvironmentVariable(name) is { } passed)
                    {
                        environ.Add(new(name, passed));
                    }
                    break;
                case "--trust-proxy-header": trustedHeaders.Add(TrustedHeader(Value())); break;
                case "--trust-proxy": trustedProxies.Add(TrustedProxy(Value())); break;
                case "--keep-alive-timeout": keepAlive = Int(arg, Value(), 0, 3600); break;
                case "--socket-timeout": timeout = Int(arg, Value(), 1, 86400); break;
                case var daemonOption when ServeDaemonOptions.IsOption(daemonOption): daemonOptions.Add(daemonOption, Value()); break;
                case var httpsOption when ServeHttps.IsOption(httpsOption, out bool takesValue): https.Add(httpsOption, takesValue ? Value() : null); break;
                case var logOption when ServeLogOptions.IsOption(logOption, out bool logValue): logs.Add(logOption, logValue ? Value() : null); break;
                case var authOption when ServeAuth.IsOption(authOption): auth.Add(authOption, Value()); break;
                case "--python": python = PythonOption(Value()); break;
                case "--python-home": pythonHome = Path.GetFullPath(Value()); break;
                case "--python-path": pythonPath.Add(Path.GetFullPath(Value())); break;
                case "--working-directory": workingDirectory = Path.GetFullPath(Value()); break;
                case "--server-name": serverName = Value(); break;
                case "--log-level": level = Level(Value()); break;
                case "--pid-file": pidFile = Path.GetFullPath(Value()); break;
                case "--chunked-request": chunked = true; break;
                case "--pass-authorization": passAuth = true; break;
                case "--limit-request-body": limitBody = Int(arg, Value(), 0, int.MaxValue); break;
                case "--no-reload": reload = false; break;
                case "--processes": processes = Int(arg, Value(), 1, 256); break;
                case "--drain": drain = Int(arg, Value(), 0, 3600); break;
                case "--graceful-shutdown-timeout": gracefulShutdown = Int(arg, Value(), 0, 86400); break;
                case "--compress-responses": compress = true; break;
                case "--x-sendfile-path": sendFilePaths.Add(new XSendFilePath(Path.TrimEndingDirectorySeparator(Path.GetFullPath(Value())), false)); break;
                default:
                    if (arg.StartsWith('-'))
                    {
                        throw new UsageException(ServeOptionHints.For(arg));
                    }
                    script = Entry(script, arg);
                    break;
            }
        }
        if (script == null)
        {
            throw new UsageException("the WSGI script to serve is missing");
        }
        if (python != null && pythonHome != null)
        {
            throw new UsageException("give --python or --python-home, not both");
        }
        if (embedded && processes != null)
        {
            throw new UsageException("--embedded runs the app in the server process; it cannot be given with --processes");
        }
        if (embedded && reloadOnChanges)
        {
            throw new UsageException("--reload-on-changes restarts the daemon worker when code changes; it cannot be given with --embedded");
        }
        if (embedded && daemonOptions.FirstGiven is { } workerOption)
        {
            throw new UsageException($"{workerOption} is an option of the daemon worker processes; with --embedded the app runs in the server process, which has none");
        }
        string scriptPath;
        if (module)
        {
            // A module is imported from the working directory, as under mod_wsgi-express: the
            // current folder unless given.
            workingDirectory ??= Environment.CurrentDirectory;
            scriptPath = ModuleEntryPoint.Write(script, callable);
            callable = "application";
        }
        else
        {
            scriptPath = Path.GetFullPath(script);
            if (!File.Exists(scriptPath))
            {
                throw new UsageException($"WSGI script '{scriptPath}' does not exist" +
                    (ModuleEntryPoint.CouldBeModule(script) ? $" (for the module {script}, add --application-type module)" : ""));
            }
        }
        IPAddress address = host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
            : IPAddress.TryParse(host.Trim('[', ']'), out IPAddress? parsed) ? parsed
            : throw new UsageException($"--host must be an IP address or localhost, got '{host}'");
        workingDirectory ??= Path.GetDirectoryName(scriptPath)!;
        // As mod_wsgi-express: the working directory is importable (an app's own packages).
        if (!pythonPath.Contains(workingDirectory))
        {
            pythonPath.Add(workingDirectory);
        }
        string mount = "/" + mountPoint.Trim('/');
        // mod_wsgi-express's daemon mode by default: one group of --processes workers (1) with
        // --threads each, and processes= given, so wsgi.multiprocess is True as under express.
        DaemonGroupConfig? daemon = embedded ? null : daemonOptions.Build("wsgihost-serve", generated, processes ?? 1, threads, workingDirectory, pythonPath) with
        {
            ReloadOnChanges = reloadOnChanges,
            User = user,
            Group = group,
        };
        // The configuration mod_wsgi-express would generate, as a model: one listener, the main
        // server, one script alias in the main interpreter (%{GLOBAL}), the aliases, the switches.
        var site = new SiteConfig
        {
            Source = "wsgihost serve",
            Listeners = [new ListenAddress(address, port, generated)],
            Threads = threads,
            DrainSeconds = drain,
            GracefulShutdownTimeoutSeconds = gracefulShutdown ?? 10,
            TimeoutSeconds = timeout ?? 60,
            KeepAliveTimeoutSeconds = keepAlive ?? 5,
            // As mod_wsgi-express's --user/--group, which become Apache's User and Group: the
            // server, too, runs as them once its port is bound (ServerIdentity).
            User = user,
            Group = group,
            DaemonGroups = daemon == null ? [] : [daemon],
            // As mod_wsgi-express (and mod_wsgi for an alias naming both groups): the script is
            // loaded as the workers (or the server) start, so a syntax or import error is in the
            // log at once, not at the first request; that request then finds it loaded. Not with
            // several interpreters: one that cannot load the script (an extension refusing
            // isolation) is found and left out by the first request's load, which a preload
            // failure would only repeat.
            ImportScripts = interpreters == 1 ? [new ImportScriptConfig(scriptPath, daemon?.Name ?? "", "", generated)] : [],
            // As mod_wsgi-express: in daemon mode the app runs only in the workers, so the server
            // process loads no Python (about 20 MB less, and no interpreter next to the listeners).
            RestrictEmbedded = daemon != null,
            LogLevel = level,
            ErrorLog = logs.ErrorLog(),
            PidFile = pidFile,
            Python = new PythonSettings { Executable = python, Home = pythonHome, Path = pythonPath, WorkingDirectory = workingDirectory, ApplicationInterpreters = interpreters },
            MainServer = new ServerScope
            {
                Location = generated,
                ServerName = serverName,
                DocumentRoot = workingDirectory,
                ServesDocumentRoot = false,
                Aliases = aliases,
                Sections = auth.Section(host, port, generated) is { } login ? [login] : [],
                ScriptAliases =
                [
                    new ScriptAliasConfig(mount, false, scriptPath, new ScriptAliasOptions(daemon?.Name, GroupLabels.Global, callable, null), generated),
                ],
                Defaults = new PerDirSettings
                {
                    ChunkedRequest = chunked,
                    PassAuthorization = passAuth,
                    LimitRequestBody = limitBody,
                    ScriptReloading = reload,
                    OutputFilterByType = compress ? CompressedTypes : [],
                    XSendFile = sendFilePaths.Count == 0 ? XSendFileConfig.Empty : new XSendFileConfig { Enabled = true, Paths = sendFilePaths },
                    SetEnv = environ,
                    TrustedProxyHeaders = trustedHeaders.Count > 0 ? trustedHeaders : null,
                    TrustedProxies = trustedProxies.Count > 0 ? trustedProxies : null,
                },
                CustomLogs = logs.CustomLogs(generated),
            },
        };
        return https.Apply(site, address, port, generated);
    }

    /// <summary>The app to serve, given first or with --entry-point: only one.</summary>
    private static string Entry(string? before, string app) =>
        before == null ? app : throw new UsageException($"only one WSGI script can be served, got '{before}' and '{app}'");

    /// <summary>--trust-proxy-header: a header WSGITrustedProxyHeaders takes, spelled as it spells it.</summary>
    private static string TrustedHeader(string name) =>
        Proxy.ProxyHeaderNames.Categories.Keys.FirstOrDefault(k => k.Equals(name, StringComparison.OrdinalIgnoreCase))
        ?? throw new UsageException($"--trust-proxy-header: '{name}' is not a header mod_wsgi can trust; one of {string.Join(", ", Proxy.ProxyHeaderNames.Categories.Keys)}");

    /// <summary>--trust-proxy: an address or network, as WSGITrustedProxies takes it.</summary>
    private static string TrustedProxy(string value) =>
        Access.IpNetwork.TryParse(value, out _, out string? problem) == Access.IpNetwork.ParseOutcome.Parsed ? value
        : throw new UsageException($"--trust-proxy: '{value}' is not an IP address or network{(problem != null ? $": {problem}" : "")}, for example 10.0.0.1 or 10.0.0.0/8");

    /// <summary>--compress-responses: the types mod_wsgi-express's option gives mod_deflate.</summary>
    private static readonly OutputFilterRule[] CompressedTypes =
        [.. new[] { "text/plain", "text/html", "text/xml", "text/css", "text/javascript", "application/xhtml+xml", "application/javascript", "application/json" }
            .Select(type => new OutputFilterRule(ContentCodings.Gzip, type))];

    /// <summary>The arguments of a server process under --server-processes: the app runs embedded in each.</summary>
    /// <exception cref="UsageException">--processes (daemon mode) was asked for too.</exception>
    public static string[] Embedded(string[] args) =>
        args.Contains("--processes") ? throw new UsageException($"{ServerProcesses.Option} runs the app embedded in each server process; it cannot be given with --processes")
        : args.Contains("--embedded") ? args : [.. args, "--embedded"];

    /// <summary>
    /// --python's value: a path is the current folder's, as every other path option's (the server
    /// later works from the script's folder, and a daemon group's workers from its home=, where
    /// venv/bin/python named nothing); a bare name (python3.12) is looked up on PATH.
    /// </summary>
    public static string PythonOption(string value) => value.Contains('/') ? Path.GetFullPath(value) : value;

    /// <summary>A whole-number option value within bounds, or a usage error naming the option.</summary>
    public static int Int(string option, string value, int min, int max)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < min || n > max)
        {
            throw new UsageException($"{option} must be a whole number from {min} to {max}, got '{value}'");
        }
        return n;
    }

    private static ErrorLogLevel Level(string value) =>
        LogDirectives.TryLevel(value, out ErrorLogLevel level) ? level
        : throw new UsageException($"--log-level must be one of debug, info, notice, warn, error, crit; got '{value}'");
}
