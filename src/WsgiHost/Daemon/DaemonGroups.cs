using WsgiHost.Configuration.Model;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Daemon;

/// <summary>The daemon process groups of a site, started with the server and stopped after it.</summary>
internal sealed class DaemonGroups : IAsyncDisposable
{
    /// <summary>Replaced whole (copy on write) when SIGHUP rolls groups; readers take the current snapshot.</summary>
    private volatile Dictionary<string, DaemonGroupRuntime> _groups = new(StringComparer.Ordinal);
    private readonly DirectoryInfo _sockets;
    private readonly List<DaemonGroupRuntime> _retired = [];
    private int _generation;

    /// <summary>The server becomes Apache's User after startup (ServerIdentity): workers it starts then could not open root's log files, so they log through it.</summary>
    private bool _serverBecomesUser;

    private DaemonGroups(DirectoryInfo sockets) => _sockets = sockets;

    public static DaemonGroups Empty { get; } = new(new DirectoryInfo(Path.GetTempPath()));

    public IReadOnlyCollection<DaemonGroupRuntime> All => _groups.Values;

    /// <summary>
    /// Starts every group's workers; sockets live in a fresh folder only this user can enter
    /// (<paramref name="serverBecomes"/>: the user the server becomes once started, who gets it).
    /// </summary>
    /// <param name="log">The main server's error log: the workers' comings and goings.</param>
    /// <param name="scopeLog">A scope's error log (the site's LogSet): what a group's workers write goes to the ErrorLog of the virtual host it was declared in (<see cref="SiteConfig.ErrorLogOf"/>); null: to <paramref name="log"/>.</param>
    public static DaemonGroups Start(SiteConfig site, WorkerLauncher launcher, IErrorLog log, Server.ServerIdentity? serverBecomes = null, Func<ServerScope, IErrorLog>? scopeLog = null)
    {
        if (site.DaemonGroups.Count == 0)
        {
            return Empty;
        }
        CheckStartable(site);
        var groups = new DaemonGroups(Directory.CreateTempSubdirectory("wsgihost-daemons-")) { _serverBecomesUser = serverBecomes != null };
        if (serverBecomes != null)
        {
            DaemonIdentity.GiveTo(groups._sockets.FullName, serverBecomes.Uid, serverBecomes.Gid);
        }
        var started = new Dictionary<string, DaemonGroupRuntime>(StringComparer.Ordinal);
        foreach (DaemonGroupConfig config in site.DaemonGroups)
        {
            started[config.Name] = groups.StartGroup(site, config, launcher, log, scopeLog);
        }
        groups._groups = started;
        return groups;
    }

    /// <summary>
    /// Workers of a group with user=/group= switch to them, which only root can (the server that
    /// started as root and stayed so, or one not started as root at all): else none is started.
    /// </summary>
    private static void CheckStartable(SiteConfig site)
    {
        if (DaemonIdentity.IsRoot)
        {
            return;
        }
        var wrongUser = site.DaemonGroups.FirstOrDefault(g => (g.User != null || g.Group != null) && !DaemonIdentity.IsCurrent(g.User, g.Group));
        if (wrongUser != null)
        {
            throw new InvalidOperationException(
                $"WSGIDaemonProcess '{wrongUser.Name}' ({wrongUser.Location}) has user=/group= other than the server's own identity, and only a server that runs as root can start workers as another user: start WsgiHost as root (workers switch users before Python starts), or remove user=/group=. A server that became Apache's User starts workers as User only.");
        }
    }

    /// <summary>
    /// The user and group a group's workers switch to: user= and group=, each else Apache's User
    /// and Group as mod_wsgi (a user= without group= takes that user's own group). Only a server
    /// started as root switches (<paramref name="root"/>); elsewhere User and Group are unused.
    /// </summary>
    public static (string? User, string? Group) WorkerIdentity(SiteConfig site, DaemonGroupConfig config, bool root) =>
        (config.User ?? (root ? site.User : null), config.Group ?? (config.User == null && root ? site.Group : null));

    private DaemonGroupRuntime StartGroup(SiteConfig site, DaemonGroupConfig config, WorkerLauncher launcher, IErrorLog log, Func<ServerScope, IErrorLog>? scopeLog)
    {
        string? errorLog = site.ErrorLogOf(config);
        IErrorLog workersLog = scopeLog != null && site.OwnerOf(config) is { } owner ? scopeLog(owner) : log;
        // socket-timeout=, else Timeout: the daemon socket's reads (and the default of response-socket-timeout=).
        TimeSpan socketTimeout = TimeSpan.FromSeconds(config.SocketTimeoutSeconds > 0 ? config.SocketTimeoutSeconds : site.TimeoutSeconds);
        var runtime = new DaemonGroupRuntime(config, _sockets.FullName, launcher, WorkerArguments(site, config, _serverBecomesUser), log, Interlocked.Increment(ref _generation))
        {
            Restarted = reason => WorkerRestarted?.Invoke(config.Name, reason),
            // Workers write Apache-shaped lines to standard error; the front passes them on when
            // their log is one they cannot open: a piped ErrorLog, or a host's ILogger.
            RelayStandardError = workersLog is not Logging.ApacheErrorLog || (errorLog != null && Logging.PipedLog.IsPipe(errorLog)) || _serverBecomesUser,
            WorkersLog = workersLog,
            // response-socket-timeout=, else socket-timeout=, else Timeout: how long a send to the
            // client may wait, as mod_wsgi's defaults chain them.
            IoTimeout = config.ResponseSocketTimeoutSeconds > 0 ? TimeSpan.FromSeconds(config.ResponseSocketTimeoutSeconds) : socketTimeout,
            SocketTimeout = socketTimeout,
            ClientTimeout = TimeSpan.FromSeconds(site.TimeoutSeconds),
        };
        runtime.Start();
        log.Write(ErrorLogLevel.Notice, "wsgi",
            $"Daemon process group '{config.Name}': started {config.EffectiveProcesses} worker process(es) x {config.Threads} thread(s) (pids {string.Join(", ", runtime.Pids)}).");
        return runtime;
    }

    /// <summary>
    /// SIGHUP: starts changed and new groups, then sends new requests to them; the groups they
    /// replace (and removed ones) stop taking requests and finish the ones they have. Unchanged
    /// groups get fresh workers the same way (<see cref="DaemonGroupRuntime.RestartWorkers"/>),
    /// as Apache's graceful restart restarts every mod_wsgi daemon: a reload loads the
    /// application's new code. Returns the names of the groups rolled.
    /// </summary>
    public IReadOnlyList<string> Roll(SiteConfig site, WorkerLauncher launcher, IErrorLog log, Func<ServerScope, IErrorLog>? scopeLog = null)
    {
        // Before any group starts: a server that became Apache's User can start no one else.
        CheckStartable(site);
        Dictionary<string, DaemonGroupRuntime> current = _groups;
        var next = new Dictionary<string, DaemonGroupRuntime>(StringComparer.Ordinal);
        var rolled = new List<string>();
        var retire = new List<DaemonGroupRuntime>();
        foreach (DaemonGroupConfig config in site.DaemonGroups)
        {
            if (current.TryGetValue(config.Name, out DaemonGroupRuntime? running) && DaemonGroupComparer.Instance.Equals(running.Config, config))
            {
                next[config.Name] = running;
                running.RestartWorkers();
                rolled.Add(config.Name);
                continue;
            }
            next[config.Name] = StartGroup(site, config, launcher, log, scopeLog);
            rolled.Add(config.Name);
            if (running != null)
            {
                retire.Add(running);
                foreach (var _ in running.Workers)
                {
                    WorkerRestarted?.Invoke(config.Name, WorkerRestartReason.Reload);
                }
            }
        }
        retire.AddRange(current.Where(c => !next.ContainsKey(c.Key)).Select(c => c.Value));
        _groups = next;
        lock (_retired)
        {
            foreach (DaemonGroupRuntime old in retire)
            {
                // In-flight requests on the old workers finish (SIGTERM: graceful) while new ones
                // already go to `next`; shutdown waits for these too.
                _retired.Add(old);
                _ = old.DisposeAsync().AsTask();
            }
        }
        return rolled;
    }

    /// <summary>SIGHUP under serve, which has no configuration to read again: every group's workers are replaced gracefully.</summary>
    public void RestartWorkers()
    {
        foreach (DaemonGroupRuntime group in _groups.Values)
        {
            group.RestartWorkers();
        }
    }

    /// <summary>Sends a signal to every running worker (WorkerMain.ReopenLogsSignal: reopen the log files).</summary>
    public void Signal(int signal)
    {
        foreach (DaemonGroupRuntime group in _groups.Values)
        {
            group.Signal(signal);
        }
    }

    /// <summary>The running workers' PIDs by group.</summary>
    public IReadOnlyDictionary<string, int[]> Pids => _groups.Values.ToDictionary(g => g.Name, g => g.Pids.ToArray());

    /// <summary>Called whenever a worker is replaced, with its group and why (metrics).</summary>
    public Action<string, WorkerRestartReason>? WorkerRestarted { get; set; }

    public bool TryGet(string name, out DaemonGroupRuntime group) => _groups.TryGetValue(name, out group!);

    /// <summary>The `wsgihost worker` arguments of a group (the socket path is added per worker).</summary>
    internal static List<string> WorkerArguments(SiteConfig site, DaemonGroupConfig config, bool relayLogs = false)
    {
        var args = new List<string> { "worker", "--group", config.Name, "--threads", config.Threads.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (config.Processes != null)
        {
            args.AddRange(["--multiprocess", "--processes", config.EffectiveProcesses.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }
        if (config.ReloadOnChanges)
        {
            args.Add("--reload-on-changes");
        }
        if (site.Python.OwnGil)
        {
            args.Add("--own-gil");
        }
        if (config.EffectiveInterpreters(site.Python) is > 1 and int interpreters)
        {
            args.AddRange(["--interpreters", interpreters.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }
        if (config.PythonHome != null)
        {
            args.AddRange(["--python-home", config.PythonHome]);
        }
        else if (site.Python.Executable != null)
        {
            args.AddRange(["--python", site.Python.Executable]);
        }
        else if (site.Python.Home != null)
        {
            args.AddRange(["--python-home", site.Python.Home]);
        }
        // The group's python-path= alone: WSGIPythonPath is the server process's (mod_wsgi does not
        // give it to daemon processes), so one group cannot import another app's modules from it.
        foreach (string dir in config.PythonPath)
        {
            args.AddRange(["--python-path", dir]);
        }
        if (config.Home != null)
        {
            args.AddRange(["--home", config.Home]);
        }
        if (site.Python.Optimize > 0)
        {
            args.AddRange(["--python-optimize", site.Python.Optimize.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }
        var (user, group) = WorkerIdentity(site, config, DaemonIdentity.IsRoot);
        if (user != null)
        {
            args.AddRange(["--user", user]);
        }
        if (group != null)
        {
            args.AddRange(["--run-as-group", group]);
        }
        if (config.DisplayName != null)
        {
            args.AddRange(["--display-name", config.DisplayName == "%{GROUP}" ? $"(wsgi:{config.Name})" : config.DisplayName]);
        }
        if (config.MaximumRequests > 0)
        {
            args.AddRange(["--maximum-requests", config.MaximumRequests.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }
        foreach (ImportScriptConfig import in site.ImportScripts.Where(i => i.ProcessGroup == config.Name))
        {
            args.AddRange(["--import", import.ScriptPath, "--import-group", import.ApplicationGroup]);
        }
        foreach (string option in new[] { "restart-interval", "inactivity-timeout", "umask", "memory-limit", "virtual-memory-limit", "cpu-time-limit", "startup-timeout", "eviction-timeout", "request-timeout", "interrupt-timeout", "supplementary-groups", "python-eggs", "cpu-priority", "locale" })
        {
            if (config.Options.TryGetValue(option, out string? value))
            {
                args.AddRange(["--" + option, value]);
            }
        }
        // mod_wsgi's default applies when the option is not written (300 s).
        args.AddRange(["--deadlock-timeout", config.DeadlockTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        args.AddRange(["--graceful-timeout", config.GracefulTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        args.AddRange(["--shutdown-timeout", config.ShutdownTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        args.AddRange(["--send-buffer-size", config.SendBufferSize.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        if (config.ReceiveBufferSize > 0)
        {
            args.AddRange(["--receive-buffer-size", config.ReceiveBufferSize.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }
        // A piped ErrorLog has one program, the server's: workers then log to standard error,
        // which the server passes on to it (see DaemonGroupRuntime.Spawn).
        string? errorLog = site.ErrorLogOf(config);
        if (errorLog != null && errorLog != "/dev/stderr" && !Logging.PipedLog.IsPipe(errorLog) && !relayLogs)
        {
            args.AddRange(["--error-log", errorLog]);
        }
        args.AddRange(["--log-level", site.LogLevel.ToString()]);
        foreach (var (module, level) in site.ModuleLogLevels)
        {
            args.AddRange(["--module-log-level", $"{module}={level}"]);
        }
        return args;
    }

    public async ValueTask DisposeAsync()
    {
        List<DaemonGroupRuntime> retired;
        lock (_retired)
        {
            retired = [.. _retired];
        }
        foreach (DaemonGroupRuntime group in _groups.Values.Concat(retired))
        {
            await group.DisposeAsync().ConfigureAwait(false);
        }
        if (_groups.Count > 0)
        {
            try
            {
                _sockets.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
