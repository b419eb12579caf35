using System.Collections.Concurrent;
using WsgiHost.Configuration.Model;
using WsgiHost.Daemon;
using WsgiHost.Python.Runtime;
using WsgiHost.Python.Wsgi;

namespace WsgiHost.Server;

/// <summary>
/// The WSGI applications of a site, created on first use per (scope, script, callable,
/// application group, process group), as mod_wsgi loads a script on the first request that
/// resolves to it. Each application group runs in its own interpreter (the runtime creates
/// sub-interpreters on first use); the same script in one group is one module.
/// </summary>
internal sealed class ApplicationCache(PythonRuntime? python, SiteConfig site, IErrorLog log)
{
    private readonly ConcurrentDictionary<Key, WsgiApplication> _apps = new();
    private readonly ConcurrentDictionary<string, string> _interpreterOwners = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _warned = new(StringComparer.Ordinal);

    private static string Label(string group) => group.Length == 0 ? "%{GLOBAL}" : group;

    /// <summary>Scope is the scope's <see cref="ScopeRuntime.CacheKey"/>, which a reload keeps for an unchanged vhost.</summary>
    private readonly record struct Key(string Scope, string Script, string Callable, string ApplicationGroup, string ProcessGroup);

    /// <summary>The last application each script alias resolved to: the usual request finds it by reference, without hashing five strings.</summary>
    private readonly ConcurrentDictionary<ScriptAliasConfig, LastHit> _lastHit = new(ReferenceEqualityComparer.Instance);

    private sealed record LastHit(ScopeRuntime Scope, string Script, WsgiTarget Target, WsgiApplication App);

    /// <summary>The applications loaded into this process (embedded mode), for what SIGHUP says of them.</summary>
    public int Count => _apps.Count;

    public ValueTask<WsgiApplication> GetAsync(ScopeRuntime scope, ScriptAliasConfig alias, string scriptPath, in WsgiTarget target, PerDirSettings settings)
    {
        if (_lastHit.TryGetValue(alias, out LastHit? hit) && ReferenceEquals(hit.Scope, scope) && hit.Script == scriptPath && hit.Target == target)
        {
            return ValueTask.FromResult(hit.App);
        }
        var key = new Key(scope.CacheKey, scriptPath, target.CallableObject, target.ApplicationGroup, target.ProcessGroup);
        if (_apps.TryGetValue(key, out WsgiApplication? app))
        {
            _lastHit[alias] = new LastHit(scope, scriptPath, target, app);
            return ValueTask.FromResult(app);
        }
        return CreateAsync(key, alias, scope, scriptPath, target, settings);
    }

    /// <summary>
    /// The first request of an application: creating it may create its interpreter, which waits
    /// for the GIL (a running request may hold it for long). A request handler may be running on
    /// a socket event thread (InlineIo), which must never wait like that, so this runs on the
    /// thread pool.
    /// </summary>
    private async ValueTask<WsgiApplication> CreateAsync(Key key, ScriptAliasConfig alias, ScopeRuntime scope, string scriptPath, WsgiTarget target, PerDirSettings settings)
    {
        WsgiApplication app = await Task.Run(() => _apps.GetOrAdd(key, k => Create(k, scope, settings))).ConfigureAwait(false);
        _lastHit[alias] = new LastHit(scope, scriptPath, target, app);
        return app;
    }

    private WsgiApplication Create(Key key, ScopeRuntime scope, PerDirSettings settings)
    {
        string owner = _interpreterOwners.GetOrAdd(key.ApplicationGroup, key.ProcessGroup);
        if (owner != key.ProcessGroup && _warned.TryAdd(key.ApplicationGroup + "\0" + key.ProcessGroup, true))
        {
            // Only when the host starts no worker processes (a library host, MapWsgi): each process
            // group's applications then run here, and groups of the same application group name
            // meet in one interpreter, where mod_wsgi would keep them in separate processes.
            log.Write(ErrorLogLevel.Warning, "wsgi",
                $"Process groups '{Label(owner)}' and '{Label(key.ProcessGroup)}' both use application group '{Label(key.ApplicationGroup)}', so they share one interpreter in this process: " +
                "this host starts no daemon worker processes. Give each a WSGIApplicationGroup of its own to keep them apart.");
        }
        var options = new WsgiApplicationOptions
        {
            ScriptPath = key.Script,
            CallableObject = key.Callable,
            ApplicationGroup = key.ApplicationGroup,
            // Embedded: the request runs in this process (daemon groups go to their workers
            // before this point), and the environ says so.
            ProcessGroup = "",
            ScriptReloading = settings.ScriptReloading ?? true,
            MultiThread = site.Threads > 1,
            MultiProcess = site.ServerProcesses > 1,
            Environ = BaseEnviron(scope.DocumentRoot),
        };
        return WsgiApplication.Create(python ?? throw new InvalidOperationException("no Python in the server process (WSGIRestrictEmbedded On), yet a request was to run embedded"), options, scope.Log);
    }

    /// <summary>The environ entries that are constant for every request of an application, wherever it is mounted.</summary>
    internal static IReadOnlyList<KeyValuePair<string, string>> BaseEnviron(string documentRoot)
    {
        var capture = new EnvironCapture(5);
        AddBaseEnviron(capture, documentRoot);
        return capture.Entries;
    }

    /// <summary>Adds <see cref="BaseEnviron"/>'s entries (for a daemon worker's request, built anew for each one).</summary>
    internal static void AddBaseEnviron(IEnvironSink sink, string documentRoot)
    {
        sink.Add("SERVER_SOFTWARE", WsgiServer.ServerSoftware);
        sink.Add("GATEWAY_INTERFACE", "CGI/1.1");
        sink.Add("DOCUMENT_ROOT", documentRoot);
        sink.Add("CONTEXT_PREFIX", "");
        sink.Add("CONTEXT_DOCUMENT_ROOT", documentRoot);
    }
}
