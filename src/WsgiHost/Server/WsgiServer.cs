using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WsgiHost.Configuration.Model;
using WsgiHost.Logging;
using WsgiHost.Python.Runtime;
using WsgiHost.Python.Wsgi;
using WsgiHost.Routing;
using WsgiHost.StaticFiles;

namespace WsgiHost.Server;

/// <summary>
/// Starts and stops everything a ServerModel describes: the embedded Python, the WSGI
/// executor, the applications, and Kestrel. A thin coordinator; each part owns its own work.
/// </summary>
public sealed class WsgiServer : IAsyncDisposable
{
    private readonly WebApplication _web;
    private readonly WsgiExecutor _executor;
    private readonly PythonRuntime _python;
    private readonly AccessLog? _accessLog;
    private readonly IErrorLog _log;

    private WsgiServer(WebApplication web, WsgiExecutor executor, PythonRuntime python, AccessLog? accessLog, IErrorLog log, IReadOnlyList<string> urls)
    {
        _web = web;
        _executor = executor;
        _python = python;
        _accessLog = accessLog;
        _log = log;
        Urls = urls;
    }

    /// <summary>The addresses Kestrel listens on, e.g. http://127.0.0.1:8000.</summary>
    public IReadOnlyList<string> Urls { get; }

    public string PythonDescription => $"Python {_python.Version} ({_python.Executable}, {_python.LibraryPath})";

    public static async Task<WsgiServer> StartAsync(ServerModel model, IErrorLog log, TextWriter? accessLogWriter)
    {
        if (!string.IsNullOrEmpty(model.Python.WorkingDirectory))
        {
            Directory.SetCurrentDirectory(model.Python.WorkingDirectory);
        }
        PythonRuntime python = PythonRuntime.Start(model.Python.Executable, model.Python.Home,
            new PythonRuntimeOptions { PythonPath = model.Python.Path }, log);
        log.Write(ErrorLogLevel.Notice, "wsgi", $"Initializing Python {python.Version} from {python.LibraryPath} (sys.executable {python.Executable}).");
        var executor = new WsgiExecutor(model.Threads, log);
        AccessLog? accessLog = model.AccessLog && accessLogWriter != null ? new AccessLog(accessLogWriter) : null;
        try
        {
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = Directory.GetCurrentDirectory() });
            builder.WebHost.UseKestrelCore().ConfigureKestrel(options =>
            {
                options.AddServerHeader = false;
                // The WSGI gateway streams bodies of any size; LimitRequestBody caps per request.
                options.Limits.MaxRequestBodySize = null;
                // WSGI strings are latin-1: header bytes 0x80-0xFF must reach the app as such.
                options.RequestHeaderEncodingSelector = _ => Encoding.Latin1;
                options.ResponseHeaderEncodingSelector = _ => Encoding.Latin1;
                Listen(options, model.Host, model.Port);
            });
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel.BadRequests", LogLevel.Debug);
            builder.Logging.AddProvider(new ErrorLogLoggerProvider(log));
            WebApplication web = builder.Build();

            var aliases = model.Aliases.Select(a => (a.UrlPrefix, (Route)new AliasRoute(new StaticAliasHandler(a.Path, MimeTypes.Default))));
            var mounts = model.Mounts.Select(m => (m.UrlPrefix, (Route)new WsgiRoute(WsgiApplication.Create(python, WithServerEnviron(m.Application, model), log))));
            var table = new MountTable<Route>(aliases.ToList(), mounts.ToList());
            var handler = new RequestHandler(model, table, executor, log, accessLog);
            web.Run(handler.HandleAsync);

            await web.StartAsync().ConfigureAwait(false);
            var addresses = web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
            return new WsgiServer(web, executor, python, accessLog, log, addresses);
        }
        catch
        {
            executor.Dispose();
            python.Dispose();
            throw;
        }
    }

    /// <summary>The CGI variables that are the same for every request of a mount.</summary>
    private static WsgiApplicationOptions WithServerEnviron(WsgiApplicationOptions app, ServerModel model) => app with
    {
        Environ =
        [
            new("SERVER_SOFTWARE", ServerSoftware),
            new("GATEWAY_INTERFACE", "CGI/1.1"),
            new("DOCUMENT_ROOT", model.DocumentRoot),
            new("CONTEXT_PREFIX", ""),
            new("CONTEXT_DOCUMENT_ROOT", model.DocumentRoot),
            .. app.Environ,
        ],
    };

    internal const string ServerSoftware = "WsgiHost";

    private static void Listen(Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions options, string host, int port)
    {
        if (IPAddress.TryParse(host.Trim('[', ']'), out IPAddress? address))
        {
            options.Listen(address, port);
        }
        else if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            options.ListenLocalhost(port);
        }
        else
        {
            throw new ArgumentException($"--host must be an IP address or localhost, got '{host}'");
        }
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
        if (_accessLog != null)
        {
            await _accessLog.DisposeAsync().ConfigureAwait(false);
        }
    }
}
