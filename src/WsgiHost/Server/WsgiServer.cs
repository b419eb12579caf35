using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using WsgiHost.Configuration.Model;
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
    private readonly PythonRuntime _python;
    private readonly LogSet _logs;
    private readonly IErrorLog _log;

    private WsgiServer(WebApplication web, WsgiExecutor executor, PythonRuntime python, LogSet logs, IErrorLog log, IReadOnlyList<string> urls)
    {
        _web = web;
        _executor = executor;
        _python = python;
        _logs = logs;
        _log = log;
        Urls = urls;
    }

    /// <summary>The addresses Kestrel listens on, e.g. http://127.0.0.1:8000.</summary>
    public IReadOnlyList<string> Urls { get; }

    public string PythonDescription => $"Python {_python.Version} ({_python.Executable}, {_python.LibraryPath})";

    internal const string ServerSoftware = "WsgiHost";

    /// <param name="log">The main server's error log; virtual hosts with an ErrorLog get their own.</param>
    public static async Task<WsgiServer> StartAsync(SiteConfig site, IErrorLog log)
    {
        if (!string.IsNullOrEmpty(site.Python.WorkingDirectory))
        {
            Directory.SetCurrentDirectory(site.Python.WorkingDirectory);
        }
        PythonRuntime python = PythonRuntime.Start(site.Python.Executable, site.Python.Home,
            new PythonRuntimeOptions { PythonPath = EmbeddedPythonPath(site) }, log);
        log.Write(ErrorLogLevel.Notice, "wsgi", $"Initializing Python {python.Version} from {python.LibraryPath} (sys.executable {python.Executable}).");
        foreach (DaemonGroupConfig group in site.DaemonGroups)
        {
            log.Write(ErrorLogLevel.Warning, "wsgi",
                $"WSGIDaemonProcess '{group.Name}' ({group.Location}): daemon processes are not in this build yet; its applications run embedded in this process on the {site.Threads} WSGI threads, with its python-path and home= on sys.path.");
            if (group.PythonHome != null && site.Python.Executable == null && group.PythonHome != site.Python.Home)
            {
                log.Write(ErrorLogLevel.Warning, "wsgi",
                    $"WSGIDaemonProcess '{group.Name}': python-home={group.PythonHome} is not used while the group runs embedded; this process embeds {python.Executable}. Set WSGIPythonHome {group.PythonHome} (or run --python-home) to use it.");
            }
        }
        foreach (ImportScriptConfig import in site.ImportScripts)
        {
            // Before the listeners open, as mod_wsgi preloads before a daemon accepts requests.
            WsgiApplication.Preload(python, import.ScriptPath, import.ApplicationGroup, log);
        }
        var executor = new WsgiExecutor(site.Threads, log);
        var logs = new LogSet(site, log);
        try
        {
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = Directory.GetCurrentDirectory() });
            builder.WebHost.UseKestrelCore().ConfigureKestrel(options =>
            {
                options.AddServerHeader = false;
                // The WSGI gateway streams bodies of any size; LimitRequestBody caps per request.
                options.Limits.MaxRequestBodySize = null;
                options.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(site.TimeoutSeconds);
                options.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(Math.Max(1, site.KeepAliveTimeoutSeconds));
                // WSGI strings are latin-1: header bytes 0x80-0xFF must reach the app as such.
                options.RequestHeaderEncodingSelector = _ => Encoding.Latin1;
                options.ResponseHeaderEncodingSelector = _ => Encoding.Latin1;
                Listeners.Bind(options, site);
            });
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel.BadRequests", LogLevel.Debug);
            builder.Logging.AddProvider(new ErrorLogLoggerProvider(log));
            WebApplication web = builder.Build();

            var routing = BuildRouting(site, logs);
            var handler = new RequestHandler(site, routing, new ApplicationCache(python, site, log), executor);
            web.Run(handler.HandleAsync);

            await web.StartAsync().ConfigureAwait(false);
            return new WsgiServer(web, executor, python, logs, log, [.. Listeners.Describe(site)]);
        }
        catch
        {
            executor.Dispose();
            python.Dispose();
            await logs.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// sys.path additions: WSGIPythonPath, then, while daemon groups run embedded, each group's
    /// home= and python-path= (mod_wsgi puts them first in the group's processes).
    /// </summary>
    private static IReadOnlyList<string> EmbeddedPythonPath(SiteConfig site) =>
        [.. site.Python.Path
            .Concat(site.DaemonGroups.SelectMany(g => (g.Home == null ? Array.Empty<string>() : [g.Home]).Concat(g.PythonPath)))
            .Distinct(StringComparer.Ordinal)];

    private static SiteRouting BuildRouting(SiteConfig site, LogSet logs)
    {
        var main = new ScopeRuntime(-1, site.MainServer, site.MainServer, logs.ErrorLogFor(site.MainServer), logs.AccessLogsFor(site.MainServer, site.MainServer));
        var vhosts = site.VirtualHosts.Select((v, i) => new ScopeRuntime(i, v, site.MainServer, logs.ErrorLogFor(v), logs.AccessLogsFor(v, site.MainServer))).ToArray();
        var selector = new VirtualHostSelector([.. site.VirtualHosts.Select(v => new VirtualHostKey(v.Addresses, v.ServerName ?? site.MainServer.ServerName, v.ServerAliases))]);
        return new SiteRouting(selector, vhosts, main);
    }

    /// <summary>Stops accepting, lets in-flight requests finish, stops the WSGI threads, finalises Python.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _web.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _log.Write(ErrorLogLevel.Warning, "core", "requests still running after 10 s were cut off at shutdown");
        }
        await _web.DisposeAsync().ConfigureAwait(false);
        _executor.Dispose();
        _python.Dispose();
        await _logs.DisposeAsync().ConfigureAwait(false);
    }
}
