using System.Net;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using WsgiHost.AspNetCore;
using WsgiHost.Configuration.Directives;
using WsgiHost.Configuration.Model;
using WsgiHost.Logging;
using WsgiHost.Routing;
using WsgiHost.Server;

namespace WsgiHost.Benchmarks;

/// <summary>
/// Routing one request among the 200 virtual hosts of <see cref="LargeSite"/>, as
/// RequestHandler does before anything runs: the virtual host from the Host header
/// (<see cref="VirtualHostSelector"/>), the request target, the URL mapping (<see cref="UrlMapper"/>)
/// and the per-directory sections and access rules that apply. The first and the last
/// virtual host in file order (name-based selection tries them in order), for a URL of the
/// WSGI app and one of an Alias.
/// </summary>
[MemoryDiagnoser]
public class RoutingBenchmarks
{
    private LargeSite _site = null!;
    private SiteRouting _routing = null!;
    private string _host = "";
    private string _rawTarget = "";

    [Params(0, LargeSite.Hosts - 1)]
    public int VirtualHost { get; set; }

    [Params("app", "static")]
    public string Url { get; set; } = "app";

    [GlobalSetup]
    public void Setup()
    {
        _site = LargeSite.Create();
        SiteConfig site = SiteConfigBuilder.Load(_site.ConfigPath).Config ?? throw new InvalidOperationException("the generated config has errors");
        // As WsgiServer.BuildRouting, with logs that go nowhere (no request here writes one).
        var log = new LoggerErrorLog(NullLogger.Instance, LogLevel.None);
        var main = new ScopeRuntime(-1, site.MainServer, site.MainServer, log, [], TimeSpan.FromSeconds(site.TimeoutSeconds));
        var vhosts = site.VirtualHosts.Select((v, i) => new ScopeRuntime(i, v, site.MainServer, log, [], TimeSpan.FromSeconds(site.TimeoutSeconds))).ToArray();
        var selector = new VirtualHostSelector([.. site.VirtualHosts.Select(v => new VirtualHostKey(v.Addresses, v.ServerName ?? site.MainServer.ServerName, v.ServerAliases))]);
        _routing = new SiteRouting(site, selector, vhosts, main);
        _host = $"{LargeSite.HostName(VirtualHost)}:{LargeSite.Port}";
        _rawTarget = Url == "app" ? TypicalRequest.RawTarget : "/static/css/site.min.css?v=20261202";
        if (Route() != 1)
        {
            throw new InvalidOperationException($"{_host}{_rawTarget} did not route to a mapped URL");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _site.Dispose();

    [Benchmark(Description = "select virtual host")]
    public int Select() => _routing.Select(IPAddress.Loopback, LargeSite.Port, KestrelExchange.SplitHost(_host).Host).Index;

    [Benchmark(Description = "vhost + target + map + sections")]
    public int Route()
    {
        ScopeRuntime scope = _routing.Select(IPAddress.Loopback, LargeSite.Port, KestrelExchange.SplitHost(_host).Host);
        RequestTarget target = RequestTarget.Parse(_rawTarget);
        MappedUrl? mapped = scope.Mapper.Map(target.Path);
        (PerDirSettings settings, _) = scope.Resolve(target.Path, mapped?.FilePath);
        return mapped != null && settings != null && scope.Index == VirtualHost ? 1 : 0;
    }
}
