using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using WsgiHost.Daemon;
using WsgiHost.Routing;
using WsgiHost.Server;

namespace WsgiHost.Benchmarks;

/// <summary>
/// The environ of a typical request as the server builds it from Kestrel's request, before
/// any Python object exists: the CGI variables alone (<see cref="KestrelExchange.WriteCgiVariables"/>,
/// the part the embedded path shares), and the whole daemon-mode environ (<see cref="DaemonEnviron.Build"/>:
/// base keys, CGI variables, what to run). Public and unsealed: BenchmarkDotNet derives from it.
/// </summary>
[MemoryDiagnoser]
public class EnvironBenchmarks
{
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 6, 0, 0, TimeSpan.Zero);
    private HttpContext _context = null!;
    private RequestOptions _options = null!;
    private RequestTarget _target;

    [GlobalSetup]
    public void Setup()
    {
        _context = TypicalRequest.Create();
        // What ScopeRuntime gives a vhost with two SetEnv lines.
        _options = new RequestOptions("site42.example.com", false, [new("SITE_ENVIRONMENT", "production"), new("TZ", "UTC")], null);
        _target = RequestTarget.Parse(TypicalRequest.RawTarget);
    }

    [Benchmark(Description = "CGI variables (KestrelExchange.WriteCgiVariables)")]
    public int CgiVariables()
    {
        var capture = new EnvironCapture();
        new KestrelExchange(_context, _options, "", _target.Path, _target, TypicalRequest.RawTarget, Start).WriteCgiVariables(capture);
        return capture.Entries.Count;
    }

    [Benchmark(Description = "daemon environ (DaemonEnviron.Build)")]
    public int DaemonEnvironBuild() =>
        DaemonEnviron.Build(_context, _options, "/srv/site42/htdocs", "", _target.Path, _target, TypicalRequest.RawTarget, Start,
            "/srv/site42/app/app.wsgi", "application", "%{GLOBAL}", true).Count;
}
