using WsgiHost.Configuration.Model;
using WsgiHost.Logging;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Server;

/// <summary>
/// The log files a site writes, each opened once however many scopes name it: the virtual
/// hosts' ErrorLogs (the main one is the caller's) and every CustomLog.
/// </summary>
internal sealed class LogSet(SiteConfig site, IErrorLog main) : IAsyncDisposable
{
    private readonly Dictionary<string, ApacheErrorLog> _errorLogs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (AccessLog Log, TextWriter? Owned)> _accessLogs = new(StringComparer.Ordinal);

    /// <summary>The scope's ErrorLog (the main one when it has none) at the scope's LogLevel.</summary>
    public IErrorLog ErrorLogFor(ServerScope scope)
    {
        IErrorLog file;
        if (scope.ErrorLog == null || scope.ErrorLog == site.ErrorLog)
        {
            file = main;
        }
        else if (!_errorLogs.TryGetValue(scope.ErrorLog, out ApacheErrorLog? log))
        {
            file = _errorLogs[scope.ErrorLog] = ApacheErrorLog.ToFile(scope.ErrorLog, site.LogLevel, site.ModuleLogLevels);
        }
        else
        {
            file = log;
        }
        if ((scope.LogLevel == null && scope.ModuleLogLevels == null) || file is not ApacheErrorLog shared)
        {
            return file;
        }
        var modules = new Dictionary<string, ErrorLogLevel>(site.ModuleLogLevels, StringComparer.OrdinalIgnoreCase);
        foreach (var (module, level) in scope.ModuleLogLevels ?? new Dictionary<string, ErrorLogLevel>())
        {
            modules[module] = level;
        }
        return shared.WithLevels(scope.LogLevel ?? site.LogLevel, modules);
    }

    /// <summary>A virtual host's CustomLogs, or the main server's when it has none (Apache's inheritance).</summary>
    public ScopedAccessLog[] AccessLogsFor(ServerScope scope, ServerScope mainScope)
    {
        var configs = scope.CustomLogs.Count > 0 ? scope.CustomLogs : mainScope.CustomLogs;
        return [.. configs.Select(c => new ScopedAccessLog(Open(c), c.Condition))];
    }

    private AccessLog Open(CustomLogConfig config)
    {
        string key = config.Path + "\n" + config.Format;
        if (_accessLogs.TryGetValue(key, out var existing))
        {
            return existing.Log;
        }
        TextWriter? owned = null;
        TextWriter writer = config.Path switch
        {
            "/dev/stdout" => Console.Out,
            "/dev/stderr" => Console.Error,
            _ => owned = OpenFile(config.Path),
        };
        var log = new AccessLog(writer, LogFormat.Parse(config.Format));
        _accessLogs[key] = (log, owned);
        return log;
    }

    private static TextWriter OpenFile(string path) => PipedLog.IsPipe(path) ? PipedLog.Start(path) : LogFile.Append(path);

    public async ValueTask DisposeAsync()
    {
        foreach (var (log, owned) in _accessLogs.Values)
        {
            await log.DisposeAsync().ConfigureAwait(false);
            if (owned != null)
            {
                await owned.DisposeAsync().ConfigureAwait(false);
            }
        }
        foreach (ApacheErrorLog log in _errorLogs.Values)
        {
            await log.DisposeAsync().ConfigureAwait(false);
        }
    }
}
