using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using WsgiHost.AspNetCore;
using WsgiHost.Python.Refs;
using WsgiHost.Python.Runtime;
using WsgiHost.Python.Wsgi;
using WsgiHost.Routing;
using WsgiHost.Server;

namespace WsgiHost.Benchmarks;

/// <summary>
/// The embedded path's environ as Python sees it: <see cref="EnvironBuilder.Build"/> copies the
/// application's base dict and sets the CGI variables of the typical request as str objects,
/// plus wsgi.input. Needs Debian's /usr/bin/python3 and its libpython (<see cref="IsAvailable"/>;
/// Program leaves this class out with a message when they are missing). Each operation takes
/// and drops the GIL, as a request does; the "GIL only" row is that part alone.
/// </summary>
[MemoryDiagnoser]
public class PythonEnvironBenchmarks
{
    public const string Python = "/usr/bin/python3";

    private PythonRuntime _runtime = null!;
    private WsgiApplication _app = null!;
    private WsgiRequest _request = null!;

    /// <summary>Null when the Python can be embedded, else why not.</summary>
    public static string? WhyUnavailable()
    {
        try
        {
            PythonRuntime.Describe(Python, null);
            return null;
        }
        catch (Exception e)
        {
            return e.Message;
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        var log = new LoggerErrorLog(NullLogger.Instance, LogLevel.None);
        _runtime = PythonRuntime.Start(Python, null, new PythonRuntimeOptions(), log);
        // The script is never loaded: only the environ is built.
        _app = WsgiApplication.Create(_runtime, new WsgiApplicationOptions { ScriptPath = "/srv/site42/app/app.wsgi", Environ = ApplicationCache.BaseEnviron("/srv/site42/htdocs") }, log);
        RequestTarget target = RequestTarget.Parse(TypicalRequest.RawTarget);
        var options = new RequestOptions("site42.example.com", false, [new("SITE_ENVIRONMENT", "production"), new("TZ", "UTC")], null);
        _request = new WsgiRequest(1, new KestrelExchange(TypicalRequest.Create(), options, "", target.Path, target, TypicalRequest.RawTarget, DateTimeOffset.UnixEpoch), _app.Interpreter);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _request.Dispose();
        _runtime.Dispose();
    }

    [Benchmark(Baseline = true, Description = "GIL only (acquire + release)")]
    public int Gil()
    {
        using var gil = GilScope.Acquire(_app.Interpreter);
        return 0;
    }

    [Benchmark(Description = "environ dict (EnvironBuilder.Build, GIL included)")]
    public nint Environ()
    {
        using var gil = GilScope.Acquire(_app.Interpreter);
        using var id = Py.Long(_request.Id);
        using var environ = EnvironBuilder.Build(_app, _request, id.Borrow());
        return environ.Handle;
    }
}
