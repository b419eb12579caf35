namespace WsgiHost.Daemon;

/// <summary>What one worker process of a daemon group runs with (from WSGIDaemonProcess and the server's Python).</summary>
internal sealed record DaemonWorkerOptions
{
    public required string SocketPath { get; init; }

    public required string Group { get; init; }

    public int Threads { get; init; } = 15;

    /// <summary>processes= was given: wsgi.multiprocess is then True, as in mod_wsgi.</summary>
    public bool MultiProcess { get; init; }

    /// <summary>processes= of the group (mod_wsgi.maximum_processes); 1 when not given.</summary>
    public int Processes { get; init; } = 1;

    public string? PythonExecutable { get; init; }

    public string? PythonHome { get; init; }

    public IReadOnlyList<string> PythonPath { get; init; } = [];

    /// <summary>WSGIPythonOptimize, which mod_wsgi applies to the daemon processes' Python too.</summary>
    public int PythonOptimize { get; init; }

    /// <summary>home=: working directory and first on sys.path.</summary>
    public string? Home { get; init; }

    /// <summary>maximum-requests=: the worker exits after this many (0: never) and the front starts a new one.</summary>
    public int MaximumRequests { get; init; }

    /// <summary>graceful-timeout=: how long running requests may take once the worker stops taking new ones.</summary>
    public TimeSpan GracefulTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>eviction-timeout=: graceful-timeout's place when SIGUSR1 evicts the worker (0: graceful-timeout).</summary>
    public int EvictionTimeoutSeconds { get; init; }

    /// <summary>shutdown-timeout=: after graceful-timeout, how long requests still running get before the worker ends without them.</summary>
    public int ShutdownTimeoutSeconds { get; init; } = 5;

    /// <summary>send-buffer-size= and receive-buffer-size=: SO_SNDBUF and SO_RCVBUF of each connection from the front (0: the system's).</summary>
    public int SendBufferSize { get; init; }

    public int ReceiveBufferSize { get; init; }

    public required string Secret { get; init; }

    /// <summary>WSGIImportScript for this group: (script, application group), loaded before the worker listens.</summary>
    public IReadOnlyList<(string Script, string ApplicationGroup)> Imports { get; init; } = [];

    /// <summary>request-timeout= and interrupt-timeout=: with both set, a request running longer than the first gets RequestTimeout raised in its thread.</summary>
    public int RequestTimeoutSeconds { get; init; }

    public int InterruptTimeoutSeconds { get; init; }

    /// <summary>WSGISubInterpreterGIL Own: the worker's sub-interpreters get a GIL each.</summary>
    public bool OwnGil { get; init; }

    /// <summary>interpreters= / WSGIApplicationInterpreters: interpreters each application runs in.</summary>
    public int ApplicationInterpreters { get; init; } = 1;

    /// <summary>--reload-on-changes: restart when a loaded module's source file changes.</summary>
    public bool ReloadOnChanges { get; init; }

    /// <summary>restart-interval=: the worker ends (gracefully) after this long; 0 never.</summary>
    public int RestartIntervalSeconds { get; init; }

    /// <summary>inactivity-timeout=: the worker ends after this long without a request; 0 never.</summary>
    public int InactivityTimeoutSeconds { get; init; }

    /// <summary>startup-timeout=: end the worker when its applications have not loaded this long after the first attempt (0: never).</summary>
    public int StartupTimeoutSeconds { get; init; }

    /// <summary>deadlock-timeout=: end the worker when the GIL has been held this long (0: never).</summary>
    public int DeadlockTimeoutSeconds { get; init; }

    /// <summary>umask= as octal text, or null to keep the server's.</summary>
    public string? Umask { get; init; }

    /// <summary>memory-limit=, virtual-memory-limit=, cpu-time-limit= (0: none): hard OS limits, as mod_wsgi sets them.</summary>
    public long MemoryLimit { get; init; }

    public long VirtualMemoryLimit { get; init; }

    public long CpuTimeLimitSeconds { get; init; }

    /// <summary>user= / group=: the identity the worker switches to (it must start as root).</summary>
    public string? User { get; init; }

    public string? RunAsGroup { get; init; }

    /// <summary>supplementary-groups=: the groups the worker is in besides its primary one (names or #N, comma-separated); null gives the user's own (initgroups).</summary>
    public string? SupplementaryGroups { get; init; }

    /// <summary>python-eggs=: PYTHON_EGG_CACHE for the worker's Python.</summary>
    public string? PythonEggs { get; init; }

    /// <summary>locale=: every locale category of the process, as mod_wsgi's setlocale(LC_ALL) (<see cref="ProcessLocale"/>).</summary>
    public string? Locale { get; init; }

    /// <summary>cpu-priority=: the worker's nice value (-20 to 20; below 0 needs root).</summary>
    public int? CpuPriority { get; init; }

    /// <summary>display-name=: the process name ps and top show (the first 15 characters, Linux's limit).</summary>
    public string? DisplayName { get; init; }
}
