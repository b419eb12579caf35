using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WsgiHost.Configuration.Model;
using WsgiHost.Daemon;
using WsgiHost.Logging;
using WsgiHost.Python.Runtime;
using WsgiHost.Python.Wsgi;
using WsgiHost.Routing;

namespace WsgiHost.Server;

/// <summary>
/// Starts and stops everything a SiteConfig describes: the embedded Python, the WSGI
/// executor, the routing snapshot, the logs, and Kestrel on the Listen addresses. A thin
/// coordinator; each part owns its own work.
/// </summary>
internal sealed class WsgiServer : IAsyncDisposable
{
    private readonly WebApplication _web;
    private readonly WsgiExecutor _executor;
    private readonly PythonRuntime? _python;
    private readonly LogSet _logs;
    private readonly IErrorLog _log;
    private readonly RequestHandler _handler;
    private readonly Lock _reloadLock = new();
    private SiteConfig _site;
    private readonly DaemonGroups _daemons;
    private readonly WorkerLauncher? _launcher;
    private readonly ServerMetrics _metrics;
    private readonly IdleMemoryTrim _idleTrim;
    private readonly RejectedRequestLog? _rejected;
    private IReadOnlyList<TlsVirtualHosts> _tlsListeners = [];
    private FirstRequestGate? _firstRequests;

    /// <summary>The daemon groups' worker PIDs by group (empty when groups run embedded).</summary>
    public IReadOnlyDictionary<string, int[]> DaemonPids => _daemons.All.ToDictionary(g => g.Name, g => g.Pids.ToArray());

    private WsgiServer(WebApplication web, WsgiExecutor executor, PythonRuntime? python, LogSet logs, IErrorLog log, IReadOnlyList<string> urls,
        RequestHandler handler, SiteConfig site, DaemonGroups daemons, WorkerLauncher? launcher, ServerMetrics metrics)
    {
        _metrics = metrics;
        _daemons = daemons;
        _launcher = launcher;
        _web = web;
        _executor = executor;
        _python = python;
        _logs = logs;
        _log = log;
        Urls = urls;
        _handler = handler;
        _site = site;
        _idleTrim = new IdleMemoryTrim(() => (metrics.Total, metrics.InFlight), log);
        _rejected = web.Services.GetService<System.Diagnostics.DiagnosticListener>() is { } listener ? new RejectedRequestLog(listener, () => handler.Routing) : null;
    }

    /// <summary>The addresses Kestrel listens on, e.g. http://127.0.0.1:8000.</summary>
    public IReadOnlyList<string> Urls { get; }

    public string PythonDescription => _python != null
        ? $"Python {_python.Version} ({_python.Executable}, {_python.LibraryPath})"
        : $"{WorkersPython} in the daemon workers, not loaded in the server process (WSGIRestrictEmbedded On)";

    /// <summary>Which Python the daemon workers embed, when the server process has none.</summary>
    private string? WorkersPython => _workersPython == null ? null : string.Join("; ", _workersPython.Select(PythonRuntime.Describe).Distinct());

    private IReadOnlyList<PythonInstallation>? _workersPython;

    /// <summary>The threads that run authentication hooks; null when the site has none.</summary>
    private HookThreads? _hookThreads;

    /// <summary>
    /// Whether the Python that runs the applications gives each several interpreters when asked
    /// (WSGIApplicationInterpreters, --interpreters): from 3.13. For the banner, which says
    /// what runs rather than what was asked.
    /// </summary>
    public bool RunsIsolatedInterpreters => _python != null
        ? PythonRuntime.RunsIsolatedInterpreters(_python.Version)
        : _workersPython?.All(i => PythonRuntime.RunsIsolatedInterpreters(i.Version)) == true;

    /// <summary>
    /// The Pythons the daemon workers will embed, located now (without loading them): a wrong
    /// --python or python-home= stops the start with its message, as loading it here would,
    /// instead of leaving workers that fail to start over and over.
    /// </summary>
    /// <exception cref="PythonNotFoundException">One of them is not a usable Python.</exception>
    private static PythonInstallation[] LocateWorkersPython(SiteConfig site) => [.. site.DaemonGroups
        .Select(g => g.PythonHome != null ? PythonInstallation.Locate(null, g.PythonHome) : PythonInstallation.Locate(site.Python.Executable, site.Python.Home))];

    internal const string ServerSoftware = "WsgiHost";

    /// <summary>
    /// How far a WSGI thread streaming a response may run ahead of the socket before it waits
    /// (the transport's MaxWriteBufferSize; Kestrel's default is 64 KiB). With 64 KiB every
    /// 64 KiB item an app yields filled the buffer, so the thread waited for the socket thread
    /// after each one: a 1 MiB download took 27 context switches (uWSGI, writing from the WSGI
    /// thread itself: 1.5; 512 KiB: 6). Stream app (1 MiB in 64 KiB items), wrk -c32, 2
    /// interleaved pairs: embedded 1,510-1,550 -> 1,800-2,320 req/s and 830-890 -> 460-620 us of
    /// CPU a request, for 33 -> 41 MB of RSS; 2 server processes 1,510 -> 2,120-2,190 req/s
    /// (uWSGI: 2,090-2,220), 71 -> 85 MB. 256 KiB gained a tenth of that. The bytes waiting here
    /// are what uWSGI leaves in the kernel's send buffer (and mod_wsgi 6 buffers up to 8 MiB of
    /// a daemon's response in the Apache child). Not for a daemon front: its relay gained
    /// nothing from it and held 45 MB more.
    /// </summary>
    internal const int EmbeddedResponseAheadBytes = 512 * 1024;

    /// <param name="log">The main server's error log; virtual hosts with an ErrorLog get their own.</param>
    /// <param name="launcher">How to start `wsgihost worker` processes for WSGIDaemonProcess groups; null runs their applications embedded.</param>
    /// <param name="sharedSockets">The supervisor that holds this server process's listening sockets, which it asks for them instead of binding them.</param>
    /// <param name="replacing">This server process is to replace a running one: an application that does not load as it starts stops it from starting, so the running one keeps serving.</param>
    public static async Task<WsgiServer> StartAsync(SiteConfig site, IErrorLog log, WorkerLauncher? launcher = null, ListenSocketClient? sharedSockets = null, bool replacing = false)
    {
        if (!string.IsNullOrEmpty(site.Python.WorkingDirectory))
        {
            Directory.SetCurrentDirectory(site.Python.WorkingDirectory);
        }
        // As mod_wsgi with WSGIRestrictEmbedded On: no Python in the server process when no
        // request may run there (memory, start time, and no app code next to the listeners).
        // Python authentication scripts (WSGIAuthUserScript, WSGIAuthGroupScript) run in this
        // process even then, as mod_wsgi runs them in Apache's children, never in a daemon.
        bool embedded = launcher == null || !site.RestrictEmbedded || site.UsesAuthScripts;
        // Started as root with Apache's User: root's part of startup, then User for good.
        ServerIdentity? becomes = ServerIdentity.Plan(site, launcher != null, out DaemonGroupConfig? keptRootFor);
        if (keptRootFor != null)
        {
            log.Write(ErrorLogLevel.Warning, "core",
                $"Started as root with User {site.User}: the server stays root to start daemon group '{keptRootFor.Name}' ({keptRootFor.Location}) as another user, so it parses requests{(embedded ? " and runs embedded applications" : "")} as root. Give that group user={site.User} (or no user=) and the server becomes {site.User} once started.");
        }
        PythonRuntime? python = embedded
            ? PythonRuntime.Start(site.Python.Executable, site.Python.Home, new PythonRuntimeOptions { PythonPath = EmbeddedPythonPath(site, launcher == null), OwnGil = site.Python.OwnGil, Optimize = site.Python.Optimize, ApplicationInterpreters = site.Python.ApplicationInterpreters, MaximumProcesses = Math.Max(1, site.ServerProcesses), ThreadsPerProcess = site.Threads }, log)
            : null;
        PythonInstallation[]? workersPython = python == null ? LocateWorkersPython(site) : null;
        if (python != null)
        {
            log.Write(ErrorLogLevel.Notice, "wsgi", $"Initializing Python {python.Version} from {python.LibraryPath} (sys.executable {python.Executable}).");
        }
        foreach (DaemonGroupConfig group in launcher == null ? site.DaemonGroups : [])
        {
            log.Write(ErrorLogLevel.Warning, "wsgi",
                $"WSGIDaemonProcess '{group.Name}' ({group.Location}): this host starts no worker processes, so its applications run embedded in this process on the {site.Threads} WSGI threads, with its python-path and home= on sys.path.");
            if (group.PythonHome != null && site.Python.Executable == null && group.PythonHome != site.Python.Home)
            {
                log.Write(ErrorLogLevel.Warning, "wsgi",
                    $"WSGIDaemonProcess '{group.Name}': python-home={group.PythonHome} is not used while the group runs embedded; this process embeds {python!.Executable}. Set WSGIPythonHome {group.PythonHome} (or run --python-home) to use it.");
            }
        }
        var executor = new WsgiExecutor(site.Threads, log);
        Func<System.Net.EndPoint, System.Net.Sockets.Socket> createSocket = sharedSockets != null ? sharedSockets.Create : SocketTransportOptions.CreateDefaultBoundListenSocket;
        LogSet? logs = null;
        HookThreads? hooks = null;
        // Replaced on a reload, this process serves what it accepted before it stops (HandOverAsync).
        FirstRequestGate? firstRequests = sharedSockets == null ? null : new FirstRequestGate();
        IReadOnlyList<TlsVirtualHosts> tlsListeners = [];
        DaemonGroups daemons = DaemonGroups.Empty;
        try
        {
            logs = new LogSet(site, log);
            daemons = launcher == null ? DaemonGroups.Empty : DaemonGroups.Start(site, launcher, log, becomes, logs.ErrorLogFor);
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = Directory.GetCurrentDirectory() });
            builder.WebHost.UseKestrelCore().ConfigureKestrel(options =>
            {
                options.AddServerHeader = false;
                // The WSGI gateway streams bodies of any size; LimitRequestBody caps per request.
                options.Limits.MaxRequestBodySize = null;
                RequestLimits limits = site.RequestLimits;
                options.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(limits.HeaderTimeoutSeconds is int h and > 0 ? h : site.TimeoutSeconds);
                // 0 is Apache's "unlimited"; Kestrel needs a number.
                options.Limits.MaxRequestHeaderCount = limits.MaxFields == 0 ? int.MaxValue : limits.MaxFields;
                options.Limits.MaxRequestHeadersTotalSize = limits.MaxHeaderBytes;
                options.Limits.MaxRequestLineSize = limits.RequestLineBytes;
                int bodyGrace = limits.BodyTimeoutSeconds ?? RequestLimits.DefaultBodyTimeoutSeconds;
                // Kestrel needs a grace period longer than its 1 s heartbeat.
                options.Limits.MinRequestBodyDataRate = bodyGrace == 0 ? null : new MinDataRate(limits.BodyMinRate ?? 240, TimeSpan.FromSeconds(Math.Max(2, bodyGrace)));
                options.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(Math.Max(1, site.KeepAliveTimeoutSeconds));
                // An absolute-form target (GET http://example.com/path) names the host, and the
                // Host header is then ignored (RFC 9112 3.2.2), as Apache does; Kestrel otherwise
                // refuses one whose Host differs with 400.
                options.AllowHostHeaderOverride = true;
                // WSGI strings are latin-1: header bytes 0x80-0xFF must reach the app as such.
                // Not Content-Length, which is digits: through a custom encoding Kestrel parses it
                // on a path that took '+5', and threw (no response, a dozen log lines) on a
                // value of more than 20 characters such as 000000000000000000005.
                options.RequestHeaderEncodingSelector = static name => name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) ? null : Encoding.Latin1;
                options.ResponseHeaderEncodingSelector = _ => Encoding.Latin1;
                tlsListeners = Listeners.Bind(options, site, log, firstRequests);
            });
            // Kestrel's pipe continuations stay on the thread pool (UnsafePreferInlineScheduling
            // off), while socket completions run on the socket event threads (InlineIo). Inline
            // Kestrel continuations saved CPU on a trivial app (hello: 25.7 -> 21.9 µs per request)
            // but cost a Python-bound one dearly: the WSGI thread, which finishes each response,
            // then also parses the connection's next request, serially with Python (Flask,
            // embedded: 8,800 -> 5,000-6,500 req/s; in daemon mode 9,600 -> 7,600). Tried again
            // with each finished request handed from the WSGI thread to the thread pool (so the
            // WSGI thread only runs Python): fewer context switches and hello unchanged, but in
            // the benchmark harness Flask in 2 processes lost 13% (4,837 -> 4,174 req/s, 378 ->
            // 427 µs of CPU per request) and Django 5%, 2 interleaved runs each.
            builder.WebHost.UseSockets(o =>
            {
                // Kestrel reads up to 1 MiB ahead of the app by default (RequestLimits.ReadAheadBytes).
                o.MaxReadBufferSize = site.RequestLimits.ReadAheadBytes;
                if (daemons.All.Count == 0)
                {
                    o.MaxWriteBufferSize = EmbeddedResponseAheadBytes;
                }
                o.CreateBoundListenSocket = becomes == null ? createSocket : endpoint => becomes.BoundSocket(endpoint, createSocket);
            });
            if (sharedSockets != null)
            {
                // Kestrel's socket transport, wrapped so that stopping leaves the sockets it shares
                // with the next server process as they were (SharedListenerFactory).
                builder.Services.RemoveAll<IConnectionListenerFactory>();
                builder.Services.AddSingleton<SocketTransportFactory>();
                builder.Services.AddSingleton<IConnectionListenerFactory>(services => new SharedListenerFactory(services.GetRequiredService<SocketTransportFactory>()));
            }
            // 128 KiB transport buffers instead of 4 KiB (LargeBlockMemoryPool); the sockets
            // transport takes its pool factory from the services, last registration first.
            builder.Services.AddSingleton<IMemoryPoolFactory<byte>, LargeBlockMemoryPool.Factory>();
            builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, SignalFreeLifetime>();
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel.BadRequests", LogLevel.Debug);
            // Hosting logs nothing we keep (request start and end, at Information and Debug), but
            // any logger enabled for its category makes it start an Activity and a log scope for
            // every request: 8% of the thread-pool CPU of a hello request (perf).
            builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
            builder.Logging.AddProvider(new ErrorLogLoggerProvider(log));
            WebApplication web = builder.Build();

            var routing = BuildRouting(site, logs);
            var metrics = new ServerMetrics();
            daemons.WorkerRestarted = metrics.WorkerRestarted;
            foreach (DaemonGroupConfig group in launcher == null ? [] : site.DaemonGroups)
            {
                metrics.DeclareProcessGroup(group.Name);
            }
            hooks = python != null && site.UsesAuthScripts ? new HookThreads(log) : null;
            var handler = new RequestHandler(routing, new ApplicationCache(python, site, log), executor, daemons, metrics,
                hooks == null ? null : new Python.Auth.AuthScripts(python!), hooks);
            web.Run(handler.HandleAsync);

            if (becomes != null)
            {
                // Kestrel's options are settled now, so TLS keys are read as root; the ports bound.
                _ = web.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value;
                becomes.BindListeners(site, createSocket);
                string[] pythonFiles = python == null ? [] : [.. new[] { python.LibraryPath, python.StandardLibraryProbe }.Where(File.Exists)];
                string[] workerFiles = WorkerProgramFiles(site, launcher);
                becomes.Become(log);
                becomes.CheckReadable(pythonFiles, $"Python {python?.Version} (new interpreters, at a first request)", "Debian's /usr/bin/python3, or a virtualenv outside /root");
                becomes.CheckReadable(workerFiles, "starting a daemon worker (a recycled or crashed one)", "scripts/publish.sh DIR with DIR such as /usr/local/lib/wsgihost, not under /root or in a private temporary folder");
            }
            // Scripts for a daemon group are imported by its workers as they start.
            foreach (ImportScriptConfig import in site.ImportScripts.Where(i => python != null && (launcher == null || i.ProcessGroup.Length == 0)))
            {
                // Before the listeners open, as mod_wsgi preloads before a daemon accepts
                // requests; as User when the server becomes User, as Apache's children import.
                if (!WsgiApplication.Preload(python!, import.ScriptPath, import.ApplicationGroup, log) && replacing)
                {
                    throw new InvalidOperationException(
                        $"the WSGI script {import.ScriptPath} did not load (the error above); as the replacement of a running server process this one does not start, and the running one keeps serving");
                }
            }
            await web.StartAsync().ConfigureAwait(false);
            becomes?.Dispose();
            return new WsgiServer(web, executor, python, logs, log, [.. Listeners.Describe(site)], handler, site, daemons, launcher, metrics) { _workersPython = workersPython, _hookThreads = hooks, _tlsListeners = tlsListeners, _firstRequests = firstRequests };
        }
        catch
        {
            becomes?.Dispose();
            await daemons.DisposeAsync().ConfigureAwait(false);
            hooks?.Dispose();
            executor.Dispose();
            python?.Dispose();
            if (logs != null)
            {
                await logs.DisposeAsync().ConfigureAwait(false);
            }
            throw;
        }
    }

    /// <summary>The program (and assembly, under `dotnet`) that daemon workers are started from, while root can see them.</summary>
    private static string[] WorkerProgramFiles(SiteConfig site, WorkerLauncher? launcher)
    {
        if (launcher == null || site.DaemonGroups.Count == 0)
        {
            return [];
        }
        System.Diagnostics.ProcessStartInfo start = launcher(["worker"]);
        return [.. new[] { start.FileName }.Concat(start.ArgumentList).Where(File.Exists)];
    }

    /// <summary>
    /// sys.path additions: WSGIPythonPath, then, when daemon groups run embedded, each group's
    /// home= and python-path= (mod_wsgi puts them first in the group's processes).
    /// </summary>
    private static IReadOnlyList<string> EmbeddedPythonPath(SiteConfig site, bool daemonsEmbedded) =>
        [.. site.Python.Path
            .Concat(daemonsEmbedded ? site.DaemonGroups.SelectMany(g => (g.Home == null ? Array.Empty<string>() : [g.Home]).Concat(g.PythonPath)) : [])
            .Distinct(StringComparer.Ordinal)];

    private static SiteRouting BuildRouting(SiteConfig site, LogSet logs)
    {
        var timeout = TimeSpan.FromSeconds(site.TimeoutSeconds);
        var main = new ScopeRuntime(-1, site.MainServer, site.MainServer, logs.ErrorLogFor(site.MainServer), logs.AccessLogsFor(site.MainServer, site.MainServer), timeout);
        var vhosts = site.VirtualHosts.Select((v, i) => new ScopeRuntime(i, v, site.MainServer, logs.ErrorLogFor(v), logs.AccessLogsFor(v, site.MainServer), timeout)).ToArray();
        var selector = new VirtualHostSelector([.. site.VirtualHosts.Select(v => new VirtualHostKey(v.Addresses, v.ServerName ?? site.MainServer.ServerName, v.ServerAliases))]);
        return new SiteRouting(site, selector, vhosts, main);
    }

    /// <summary>
    /// SIGHUP: applies a re-read configuration without closing a connection. Virtual hosts,
    /// mapping, access rules, per-directory directives and logs take effect for the next request;
    /// requests already running finish with the old ones. Applications and interpreters whose
    /// settings did not change are kept (their scripts still reload when touched). What only a
    /// restart can change (listeners, the Python, thread count, timeouts) is returned, not applied.
    /// </summary>
    public IReadOnlyList<string> Reload(SiteConfig next)
    {
        lock (_reloadLock)
        {
            var notApplied = new List<string>();
            SiteConfig current = _site;
            if (!current.Listeners.Select(l => l.ToString()).SequenceEqual(next.Listeners.Select(l => l.ToString())))
            {
                notApplied.Add("Listen addresses");
            }
            // Certificates are read again even where their paths did not change: a renewal
            // writes new files under the same names, then reloads.
            foreach (TlsVirtualHosts tls in _tlsListeners)
            {
                if (!TlsVirtualHosts.HasAny(next, tls.Listen))
                {
                    notApplied.Add($"SSLEngine on {tls.Listen} (no virtual host with it covers that address now)");
                }
                else if (tls.Reload(next) is string problem)
                {
                    _log.Write(ErrorLogLevel.Error, "ssl", $"SIGHUP: the TLS certificates of {tls.Listen} were not reloaded, the ones loaded before are still served: {problem}"
                        + (Daemon.DaemonIdentity.IsRoot ? "" : $" (this server runs as {Environment.UserName} since it started, Apache's User if one is set: let that user read the certificate and key files, or restart the server to read them as root)"));
                }
            }
            foreach (ListenAddress listen in current.Listeners.Where(l => !_tlsListeners.Any(t => t.Listen == l) && TlsVirtualHosts.HasAny(next, l)))
            {
                notApplied.Add($"SSLEngine on {listen} (plain HTTP since the start)");
            }
            if (current.Python.Home != next.Python.Home || !current.Python.Path.SequenceEqual(next.Python.Path) || current.Python.Executable != next.Python.Executable
                || current.Python.OwnGil != next.Python.OwnGil || current.Python.ApplicationInterpreters != next.Python.ApplicationInterpreters
                || current.Python.Optimize != next.Python.Optimize)
            {
                notApplied.Add("WSGIPythonHome/WSGIPythonPath/WSGIPythonOptimize/WSGISubInterpreterGIL/WSGIApplicationInterpreters");
            }
            if (current.Threads != next.Threads || current.TimeoutSeconds != next.TimeoutSeconds || current.KeepAliveTimeoutSeconds != next.KeepAliveTimeoutSeconds)
            {
                notApplied.Add("ThreadsPerChild/Timeout/KeepAlive");
            }
            if (current.RequestLimits != next.RequestLimits)
            {
                notApplied.Add("LimitRequestFields/LimitRequestFieldSize/LimitRequestLine/RequestReadTimeout");
            }
            // Carry over what is not applied, so the snapshot describes what really runs.
            SiteConfig applied = next with
            {
                Listeners = current.Listeners,
                Python = current.Python,
                Threads = current.Threads,
                TimeoutSeconds = current.TimeoutSeconds,
                KeepAliveTimeoutSeconds = current.KeepAliveTimeoutSeconds,
                RequestLimits = current.RequestLimits,
                ServerProcesses = current.ServerProcesses,
                DrainSeconds = current.DrainSeconds,   // a command-line option, not in the file
                DaemonGroups = _launcher == null ? current.DaemonGroups : next.DaemonGroups,
            };
            if (_launcher != null)
            {
                // New and changed groups start before the routing points at them; old ones drain.
                IReadOnlyList<string> rolled = _daemons.Roll(applied, _launcher, _log, _logs.ErrorLogFor);
                foreach (DaemonGroupConfig group in applied.DaemonGroups)
                {
                    _metrics.DeclareProcessGroup(group.Name);
                }
                if (rolled.Count > 0)
                {
                    _log.Write(ErrorLogLevel.Notice, "wsgi", $"SIGHUP: daemon process group(s) {string.Join(", ", rolled)} get fresh workers (the application's code loaded anew), with the new configuration; the old ones finish their requests.");
                }
            }
            else if (!current.DaemonGroups.SequenceEqual(next.DaemonGroups, DaemonGroupComparer.Instance))
            {
                notApplied.Add("WSGIDaemonProcess groups");
            }
            _handler.Swap(BuildRouting(applied, _logs));
            _site = applied;
            SayEmbeddedKeepTheirCode();
            return notApplied;
        }
    }

    /// <summary>SIGHUP where no configuration is read again (serve): the daemon workers are replaced gracefully, so the application's code is loaded anew.</summary>
    public void RestartDaemonWorkers()
    {
        if (_daemons.All.Count > 0)
        {
            _daemons.RestartWorkers();
            _log.Write(ErrorLogLevel.Notice, "wsgi", "SIGHUP: daemon workers restarted gracefully (the application's code loaded anew); the old ones finish their requests.");
        }
        SayEmbeddedKeepTheirCode();
    }

    /// <summary>
    /// Embedded applications live in this process's interpreters, which a reload cannot replace
    /// (the main interpreter cannot be started again in a process): where Apache's graceful
    /// restart gives embedded mod_wsgi new child processes, and with them the new code, here only
    /// a restart does. Said, rather than claiming a reload that did not happen (QA).
    /// </summary>
    private void SayEmbeddedKeepTheirCode()
    {
        int embedded = _handler.EmbeddedApplications;
        if (embedded > 0)
        {
            _log.Write(ErrorLogLevel.Notice, "wsgi",
                $"SIGHUP: {embedded} application(s) embedded in this server process keep the code they loaded: a changed WSGI script file is loaded again at its next request, "
                + "but the modules it imports load anew only in a new process. Restart the server to load them (systemctl restart), run it with --server-processes N, whose server processes SIGHUP replaces one by one, "
                + "or run the application in daemon mode, whose workers SIGHUP replaces.");
        }
    }

    /// <summary>SIGUSR1: the log files reopened (those that could not be are in <paramref name="failed"/>, still written to), and the workers told.</summary>
    public int ReopenLogs(List<string>? failed = null)
    {
        int files = LogFile.ReopenAll(failed);
        _daemons.Signal(Daemon.WorkerMain.ReopenLogsSignal);
        return files;
    }

    /// <summary>
    /// A new server process has taken this one's place (its supervisor's listening sockets, so
    /// it takes the new connections): stop accepting, close each connection after its response,
    /// and wait, up to <paramref name="longest"/>, for the connections accepted just before to
    /// bring their first request, which Kestrel's stop would otherwise cut off unanswered. Then
    /// <see cref="DisposeAsync"/> stops as ever.
    /// </summary>
    public async Task HandOverAsync(TimeSpan longest)
    {
        _metrics.HandingOver = true;
        if (_web.Services.GetService<IConnectionListenerFactory>() is SharedListenerFactory shared)
        {
            await shared.StopAcceptingAsync().ConfigureAwait(false);
        }
        if (_firstRequests != null && await _firstRequests.WaitAsync(longest).ConfigureAwait(false) is long silent and > 0)
        {
            _log.Write(ErrorLogLevel.Info, "core", $"{silent} connection(s) accepted before the replacement sent no request within {longest.TotalSeconds:0} s; they close as the server process stops.");
        }
    }

    /// <summary>Stops accepting, lets in-flight requests finish, stops the WSGI threads, finalises Python.</summary>
    public async ValueTask DisposeAsync()
    {
        _idleTrim.Dispose();
        _rejected?.Dispose();
        // Health checks answer 503 from now on, while running requests finish; not in a process
        // replaced on a reload, whose site goes on (its successor already takes the connections).
        _metrics.Draining = !_metrics.HandingOver;
        if (_site.DrainSeconds > 0 && !_metrics.HandingOver)
        {
            // Still accepting: a load balancer polling the health check takes the server out,
            // and every response closes its connection (RequestHandler), so a proxy's kept-alive
            // connections end cleanly instead of being closed under a request it is sending.
            _log.Write(ErrorLogLevel.Notice, "core", $"SIGTERM: draining for {_site.DrainSeconds} s (health check 503, connections closed after each response), then no new connections");
            await Task.Delay(TimeSpan.FromSeconds(_site.DrainSeconds)).ConfigureAwait(false);
        }
        // A process replaced on a reload lets its requests take as long as they take, as the
        // children of Apache's graceful restart do: GracefulShutdownTimeout bounds a stop of the
        // site, and cut a 15 s request or a slow download off in the middle of a deploy (QA).
        int grace = _metrics.HandingOver ? 0 : _site.GracefulShutdownTimeoutSeconds;
        using (var timeout = new CancellationTokenSource(grace > 0 ? TimeSpan.FromSeconds(grace) : Timeout.InfiniteTimeSpan))
        {
            try
            {
                await _web.StopAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            // Kestrel aborts what still runs when the token fires, usually without throwing.
            if (timeout.IsCancellationRequested)
            {
                long cut = _metrics.InFlight;
                _log.Write(ErrorLogLevel.Warning, "core",
                    $"{(cut > 0 ? $"{cut} request(s)" : "requests")} still running after GracefulShutdownTimeout {grace} s were cut off at shutdown (their clients' connections were closed): "
                    + "if requests may run longer, raise GracefulShutdownTimeout (serve: --graceful-shutdown-timeout; 0 waits for them)");
            }
        }
        await _web.DisposeAsync().ConfigureAwait(false);
        await _daemons.DisposeAsync().ConfigureAwait(false);
        _hookThreads?.Dispose();
        EmbeddedPythonShutdown.Stop(_executor, _python, _log, TimeSpan.FromSeconds(10), CancellationToken.None);
        await _logs.DisposeAsync().ConfigureAwait(false);
    }
}
