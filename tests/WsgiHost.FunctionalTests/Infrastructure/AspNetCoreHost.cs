using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WsgiHost.AspNetCore;
using WsgiHost.Examples.AspNetCore;

namespace WsgiHost.FunctionalTests.Infrastructure;

/// <summary>
/// An ASP.NET Core app in the test process on 127.0.0.1 (a free port) with WSGI mounts of the
/// gateway fixture next to a .NET endpoint. Only one Python can be embedded per process, so
/// every in-process ASP.NET Core test shares this host; it stops (and finalises Python) once,
/// after the last of them.
/// </summary>
public sealed class AspNetCoreHost : IAsyncLifetime
{
    private WebApplication? _app;
    private readonly LogCollector _logs = new();

    /// <summary>The daemon process group behind the /daemon mount (2 workers).</summary>
    public const string DaemonGroup = "aspnet-daemon";

    public HttpClient Client { get; private set; } = null!;

    public int Port { get; private set; }

    /// <summary>Everything logged under the WsgiHost category so far.</summary>
    public string Log => _logs.Text;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = WsgiHostProcess.TestAppsDirectory });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(_logs);
        builder.Services.AddWsgi(o =>
        {
            o.Python = Pythons.Debian;
            o.Threads = 4;
            o.LogLevel = LogLevel.Debug;
            o.AddDaemonProcess(DaemonGroup, "processes=2 threads=2 display-name=%{GROUP}");
        });
        builder.Services.AddAuthentication(HeaderAuthenticationHandler.SchemeName).AddScheme<AuthenticationSchemeOptions, HeaderAuthenticationHandler>(HeaderAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder().AddPolicy("members", p => p.RequireAuthenticatedUser().RequireRole("member"));

        _app = builder.Build();
        // A PathBase for requests that start with /base, so SCRIPT_NAME = PathBase + prefix can be checked.
        _app.UsePathBase("/base");
        // An internal rewrite before routing: /old/... is served by the /gw mount.
        _app.UseRewriter(Microsoft.AspNetCore.Rewrite.RewriteOptionsExtensions.AddRewrite(new Microsoft.AspNetCore.Rewrite.RewriteOptions(), "^old/(.*)", "gw/$1", skipRemainingRules: true));
        // A middleware that puts its own stream under the response, as response caching and body loggers do.
        _app.UseWhen(c => c.Request.Path.StartsWithSegments("/copied"), branch => branch.Use(async (context, next) =>
        {
            Stream original = context.Response.Body;
            using var copy = new MemoryStream();
            context.Response.Body = copy;
            await next(context);
            copy.Position = 0;
            context.Response.Body = original;
            await copy.CopyToAsync(original);
        }));
        // Explicitly after UsePathBase: the implicit UseRouting would run first and match the unstripped path.
        _app.UseRouting();
        _app.UseAuthentication();
        _app.UseAuthorization();
        _app.MapGet("/api/hello", (ClaimsPrincipal user) => $"hello {user.Identity?.Name}").RequireAuthorization("members");
        _app.MapWsgi("/gw", "gateway.wsgi", o => o.Environment["MOUNT"] = "gw");
        _app.MapWsgi("/secure/gw/", WsgiHostProcess.App("gateway.wsgi")).RequireAuthorization("members");
        _app.MapWsgi("/small", "gateway.wsgi", o => o.LimitRequestBody = 10);
        _app.MapWsgi("/alt", "gateway.wsgi", o =>
        {
            o.CallableObject = "alternate";
            o.ApplicationGroup = "alt-group";
        });
        _app.MapWsgi("/missing", "no-such-script.wsgi");
        _app.MapGroup("/grp/{tenant}").MapWsgi("/py", "gateway.wsgi");
        _app.MapWsgi("/café", "gateway.wsgi");
        _app.MapWsgi("/copied", "gateway.wsgi");
        _app.MapWsgi("/daemon", "gateway.wsgi", o =>
        {
            o.ProcessGroup = DaemonGroup;
            o.Environment["MOUNT"] = "daemon";
        }).RequireAuthorization("members");
        await _app.StartAsync();

        string address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Port = new Uri(address).Port;
        Client = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{Port}"),
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    /// <summary>A GET, as the user named by <paramref name="user"/> (the example's X-User header) or anonymous.</summary>
    public static HttpRequestMessage Get(string url, string? user = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (user != null)
        {
            request.Headers.Add("X-User", user);
        }
        return request;
    }

    /// <summary>Waits until the WsgiHost log contains <paramref name="text"/>; returns the log.</summary>
    public async Task<string> WaitForLogAsync(string text)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(20))
        {
            string log = Log;
            if (log.Contains(text, StringComparison.Ordinal))
            {
                return log;
            }
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException($"the WsgiHost log never contained '{text}'. It has:\n{Log}");
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_app != null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    /// <summary>Keeps the WsgiHost category's messages for assertions.</summary>
    private sealed class LogCollector : ILoggerProvider
    {
        private readonly System.Text.StringBuilder _text = new();

        public string Text
        {
            get
            {
                lock (_text)
                {
                    return _text.ToString();
                }
            }
        }

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(LogCollector owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => category == "WsgiHost";

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    lock (owner._text)
                    {
                        owner._text.Append(logLevel).Append(": ").AppendLine(formatter(state, exception));
                    }
                }
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class AspNetCoreCollection : ICollectionFixture<AspNetCoreHost>
{
    public const string Name = "aspnetcore host";
}
