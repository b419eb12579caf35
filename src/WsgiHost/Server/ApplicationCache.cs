using System.Collections.Concurrent;
using WsgiHost.Configuration.Model;
using WsgiHost.Python.Runtime;
using WsgiHost.Python.Wsgi;

namespace WsgiHost.Server;

/// <summary>
/// The WSGI applications of a site, created on first use per (scope, script, callable,
/// application group, process group), as mod_wsgi loads a script on the first request that
/// resolves to it.
/// </summary>
internal sealed class ApplicationCache(PythonRuntime python, SiteConfig site, IErrorLog log)
{
    private readonly ConcurrentDictionary<Key, WsgiApplication> _apps = new();
    private readonly ConcurrentDictionary<string, bool> _groupsSeen = new(StringComparer.Ordinal);

    private readonly record struct Key(int Scope, string Script, string Callable, string ApplicationGroup, string ProcessGroup);

    public WsgiApplication Get(ScopeRuntime scope, string scriptPath, in WsgiTarget target, PerDirSettings settings)
    {
        var key = new Key(scope.Index, scriptPath, target.CallableObject, target.ApplicationGroup, target.ProcessGroup);
        if (_apps.TryGetValue(key, out WsgiApplication? app))
        {
            return app;
        }
        return _apps.GetOrAdd(key, k => Create(k, scope, settings));
    }

    private WsgiApplication Create(Key key, ScopeRuntime scope, PerDirSettings settings)
    {
        string identity = key.ProcessGroup + "\0" + key.ApplicationGroup;
        if (_groupsSeen.TryAdd(identity, true) && _groupsSeen.Count > 1)
        {
            // Sub-interpreters (one per application group) and daemon processes are not in
            // this build, so every group runs in this process's main interpreter. Say so once
            // per new group rather than let apps share state unannounced.
            log.Write(ErrorLogLevel.Warning, "wsgi",
                $"Application group '{key.ApplicationGroup}'{(key.ProcessGroup.Length > 0 ? $" of process group '{key.ProcessGroup}'" : "")} shares the main Python interpreter with the {_groupsSeen.Count - 1} group(s) loaded before it: " +
                "this build has no sub-interpreters or daemon processes yet, so scripts that set os.environ (DJANGO_SETTINGS_MODULE) or sys.path see each other's values. Run such sites in separate wsgihost processes.");
        }
        var options = new WsgiApplicationOptions
        {
            ScriptPath = key.Script,
            CallableObject = key.Callable,
            ApplicationGroup = key.ApplicationGroup,
            // Daemon mode is not in this build: the request runs here, and the environ says so.
            ProcessGroup = "",
            ScriptReloading = settings.ScriptReloading ?? true,
            MultiThread = site.Threads > 1,
            MultiProcess = false,
            Environ =
            [
                new("SERVER_SOFTWARE", WsgiServer.ServerSoftware),
                new("GATEWAY_INTERFACE", "CGI/1.1"),
                new("DOCUMENT_ROOT", scope.DocumentRoot),
                new("CONTEXT_PREFIX", ""),
                new("CONTEXT_DOCUMENT_ROOT", scope.DocumentRoot),
            ],
        };
        return WsgiApplication.Create(python, options, scope.Log);
    }
}
