using WsgiHost.Configuration.Syntax;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Configuration.Model;

/// <summary>
/// Everything a configuration says the server does, as immutable data: built by
/// <see cref="Directives.SiteConfigBuilder"/> from an Apache-syntax file (`wsgihost run`) or from
/// the options of `wsgihost serve`, which is a generated configuration, so the two never drift.
/// </summary>
internal sealed record SiteConfig
{
    /// <summary>The file it was read from, or a description of what generated it.</summary>
    public required string Source { get; init; }

    /// <summary>The Listen addresses, in file order; Kestrel binds exactly these.</summary>
    public IReadOnlyList<ListenAddress> Listeners { get; init; } = [];

    /// <summary>The main server: directives outside every &lt;VirtualHost&gt;.</summary>
    public required ServerScope MainServer { get; init; }

    /// <summary>The &lt;VirtualHost&gt; blocks, in file order (the first of an address is its default).</summary>
    public IReadOnlyList<ServerScope> VirtualHosts { get; init; } = [];

    public IReadOnlyList<DaemonGroupConfig> DaemonGroups { get; init; } = [];

    /// <summary>WSGIImportScript and the preloads implied by WSGIScriptAlias with both groups static.</summary>
    public IReadOnlyList<ImportScriptConfig> ImportScripts { get; init; } = [];

    public PythonSettings Python { get; init; } = new();

    /// <summary>WSGIRestrictEmbedded On: requests not delegated to a daemon group get 500.</summary>
    public bool RestrictEmbedded { get; init; }

    /// <summary>Request threads of the embedded executor (ThreadsPerChild, or serve --threads).</summary>
    public int Threads { get; init; } = 15;

    /// <summary>
    /// How many server processes serve this site side by side, each with its own embedded
    /// Python, sharing the listening sockets (--server-processes; Apache's child processes).
    /// Above 1, the applications' wsgi.multiprocess is True.
    /// </summary>
    public int ServerProcesses { get; init; } = 1;

    /// <summary>LogFormat nicknames to formats, Apache's predefined ones included.</summary>
    public IReadOnlyDictionary<string, string> LogFormats { get; init; } = new Dictionary<string, string>();

    public ErrorLogLevel LogLevel { get; init; } = ErrorLogLevel.Warning;

    /// <summary>LogLevel's per-module levels (`LogLevel info wsgi:debug`), by the module name log entries carry.</summary>
    public IReadOnlyDictionary<string, ErrorLogLevel> ModuleLogLevels { get; init; } = new Dictionary<string, ErrorLogLevel>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Apache's User: the identity of daemon workers without user= or group= when the server
    /// starts as root, as under mod_wsgi (Apache's children run as User; mod_wsgi's daemon
    /// processes default to it). The server process itself keeps the identity it started with.
    /// </summary>
    public string? User { get; init; }

    /// <summary>Apache's Group: with <see cref="User"/>, the group of daemon workers without user= or group=.</summary>
    public string? Group { get; init; }

    /// <summary>ErrorLog of the main server; null means standard error.</summary>
    public string? ErrorLog { get; init; }

    /// <summary>PidFile: where the server writes the PID to signal (apache2ctl, systemd's PIDFile=, logrotate), ServerRoot-relative as written; null for none.</summary>
    public string? PidFile { get; init; }

    /// <summary>Timeout: seconds a client may take to send request headers.</summary>
    public int TimeoutSeconds { get; init; } = 60;

    /// <summary>KeepAliveTimeout in seconds; KeepAlive Off is 0.</summary>
    public int KeepAliveTimeoutSeconds { get; init; } = 5;

    /// <summary>
    /// MaxKeepAliveRequests: an HTTP/1.x connection closes after its response to the request
    /// that follows this many (Apache's count); 0 is unlimited, also when not given (Apache's
    /// default is 100).
    /// </summary>
    public int MaxKeepAliveRequests { get; init; }

    /// <summary>LimitRequestFields, LimitRequestFieldSize, LimitRequestLine, RequestReadTimeout.</summary>
    public RequestLimits RequestLimits { get; init; } = new();

    /// <summary>
    /// GracefulShutdownTimeout: how long SIGTERM waits for running requests before cutting them
    /// off (0: as long as they take). 10 when not written (Apache's default is 0).
    /// </summary>
    public int GracefulShutdownTimeoutSeconds { get; init; } = 10;

    /// <summary>
    /// `--drain SECONDS`: after SIGTERM, keep accepting and serving this long with health
    /// checks failing and every response closing its connection, before refusing new
    /// connections (0: refuse at once). Lets a load balancer move traffic away first.
    /// </summary>
    public int DrainSeconds { get; init; }

    /// <summary>Every scope that can serve a request: the virtual hosts, then the main server.</summary>
    public IEnumerable<ServerScope> AllScopes => VirtualHosts.Append(MainServer);

    /// <summary>Whether a section sets a WSGIAuthUserScript, WSGIAuthGroupScript or WSGIAccessScript: Python then runs in the server process.</summary>
    public bool UsesAuthScripts => AllScopes.Any(scope => scope.Sections.Any(s => s.Payload.Access?.Auth is { UserScript: not null } or { GroupScript: not null } or { AccessScript: not null }));

    /// <summary>The &lt;VirtualHost&gt; a daemon group was declared in; null when declared at server level.</summary>
    public ServerScope? OwnerOf(DaemonGroupConfig group) =>
        group.OwnerLocation == null ? null : VirtualHosts.FirstOrDefault(v => v.Location == group.OwnerLocation);

    /// <summary>
    /// Where a daemon group's workers log (their standard error, the app's output, wsgi.errors):
    /// as in mod_wsgi, the ErrorLog of the virtual host the group was declared in, else the
    /// main server's. Null is standard error.
    /// </summary>
    public string? ErrorLogOf(DaemonGroupConfig group) => OwnerOf(group)?.ErrorLog ?? ErrorLog;
}

/// <summary>A Listen directive: an address (null = every address) and a port.</summary>
internal sealed record ListenAddress(System.Net.IPAddress? Address, int Port, SourceLocation Location)
{
    /// <summary>Whether connections to this address can reach <paramref name="host"/> (one of its &lt;VirtualHost&gt; addresses covers it).</summary>
    public bool Reaches(ServerScope host) =>
        host.Addresses.Any(a => (a.Port == null || a.Port == Port) && (a.Address == null || Address == null || a.Address.Equals(Address)));

    public override string ToString() =>
        Address == null ? $"*:{Port}" : Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{Address}]:{Port}" : $"{Address}:{Port}";
}
