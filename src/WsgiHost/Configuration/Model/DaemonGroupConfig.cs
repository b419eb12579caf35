using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Configuration.Model;

/// <summary>
/// WSGIDaemonProcess: a named group of worker processes. Every option mod_wsgi knows is
/// parsed and validated; the typed properties are those the server acts on, and
/// <see cref="Options"/> keeps every option as written.
/// </summary>
internal sealed record DaemonGroupConfig
{
    public required string Name { get; init; }

    public required SourceLocation Location { get; init; }

    /// <summary>The ServerName of the &lt;VirtualHost&gt; it was declared in; null when declared outside every vhost (usable everywhere).</summary>
    public string? OwnerServerName { get; init; }

    /// <summary>Where the owning vhost was declared (for messages); null at server level.</summary>
    public SourceLocation? OwnerLocation { get; init; }

    /// <summary>processes=; null when not given (wsgi.multiprocess is then False, as in mod_wsgi).</summary>
    public int? Processes { get; init; }

    /// <summary>threads=; mod_wsgi's default is 15.</summary>
    public int Threads { get; init; } = 15;

    /// <summary>interpreters= (WsgiHost's own): interpreters each application runs in; null takes WSGIApplicationInterpreters.</summary>
    public int? Interpreters { get; init; }

    public string? PythonHome { get; init; }

    public IReadOnlyList<string> PythonPath { get; init; } = [];

    /// <summary>home=: working directory, also first on sys.path.</summary>
    public string? Home { get; init; }

    public string? DisplayName { get; init; }

    public string? User { get; init; }

    public string? Group { get; init; }

    public string? Lang { get; init; }

    public string? Locale { get; init; }

    public int MaximumRequests { get; init; }

    public int RequestTimeoutSeconds { get; init; }

    /// <summary>interrupt-timeout= (mod_wsgi 6): a request past request-timeout first gets RequestTimeout raised in its thread; only if it has not ended this long after is the worker recycled.</summary>
    public int InterruptTimeoutSeconds { get; init; }

    public int QueueTimeoutSeconds { get; init; }

    /// <summary>listen-backlog=: how many requests may wait for the group's threads (mod_wsgi's daemon socket backlog, 100 by default); one more waits connect-timeout for room, then gets 503.</summary>
    public int ListenBacklog { get; init; } = 100;

    public int InactivityTimeoutSeconds { get; init; }

    public int GracefulTimeoutSeconds { get; init; } = 15;

    public int ShutdownTimeoutSeconds { get; init; } = 5;

    public int StartupTimeoutSeconds { get; init; }

    public int RestartIntervalSeconds { get; init; }

    public int DeadlockTimeoutSeconds { get; init; } = 300;

    public int ConnectTimeoutSeconds { get; init; } = 15;

    public int SocketTimeoutSeconds { get; init; }

    /// <summary>response-socket-timeout=: how long a send of a response to the client may wait; 0 takes socket-timeout=, then Timeout, as mod_wsgi chains them.</summary>
    public int ResponseSocketTimeoutSeconds { get; init; }

    /// <summary>mod_wsgi's built-in header-buffer-size: the longest response header line a worker may send.</summary>
    public const int DefaultHeaderBufferSize = 32768;

    /// <summary>header-buffer-size=: a longer response header line (name, ": ", value) from a worker is a 500, as in mod_wsgi.</summary>
    public int HeaderBufferSize { get; init; } = DefaultHeaderBufferSize;

    /// <summary>
    /// WsgiHost's send buffer of a daemon socket when send-buffer-size= is not given (or 0):
    /// 1 MiB, where mod_wsgi keeps the system's (208 KiB on Linux). A worker then hands a 1 MiB
    /// response to the kernel without waiting for the front, and neither side wakes the other
    /// for every 64 KiB drained (daemon download: 75% fewer context switches, 10% less CPU;
    /// bench/README). The kernel caps it at net.core.wmem_max, and charges only bytes in flight.
    /// </summary>
    public const int DefaultSendBufferSize = 1024 * 1024;

    /// <summary>send-buffer-size=: SO_SNDBUF of both ends of each connection between the front and a worker.</summary>
    public int SendBufferSize { get; init; } = DefaultSendBufferSize;

    /// <summary>receive-buffer-size=: SO_RCVBUF of both ends; 0 keeps the system's.</summary>
    public int ReceiveBufferSize { get; init; }

    /// <summary>serve --reload-on-changes (mod_wsgi-express's, not a WSGIDaemonProcess option): workers restart when a loaded module's source changes.</summary>
    public bool ReloadOnChanges { get; init; }

    /// <summary>Every option as written (name lower-cased, value unquoted).</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();

    public int EffectiveProcesses => Processes ?? 1;

    /// <summary>Interpreters each application of the group runs in: interpreters=, else the site's WSGIApplicationInterpreters.</summary>
    public int EffectiveInterpreters(PythonSettings site) => Interpreters ?? site.ApplicationInterpreters;
}
