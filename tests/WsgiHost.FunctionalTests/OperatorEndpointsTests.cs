using System.Net;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>SetHandler server-status, wsgihost-health and wsgihost-metrics, behind the section's access rules.</summary>
public sealed class OperatorEndpointsTests
{
    [Fact]
    public async Task HealthStatusAndMetricsAnswerAndCountTheRequests()
    {
        int port = WsgiHostProcess.FreePort();
        await using var host = await WsgiHostProcess.RunAsync(Path.Combine(WsgiHostProcess.TestAppsDirectory, "configs", "status.conf"), port,
            new Dictionary<string, string> { ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal("written then returned", await host.Client.GetStringAsync("/write"));
        }
        using (var missing = await host.Client.GetAsync("/no-such-route"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);   // the app's own 404
        }
        Assert.Equal("ok\n", await host.Client.GetStringAsync("/healthz"));

        string metrics = await host.Client.GetStringAsync("/metrics");
        Assert.Matches(@"wsgihost_requests_total\{status=""2xx""\} ([4-9]|\d\d+)\n", metrics);   // 3 x /write + /healthz
        Assert.Contains("wsgihost_requests_total{status=\"4xx\"} 1\n", metrics);
        Assert.Contains("# TYPE wsgihost_request_duration_seconds histogram", metrics);
        Assert.Contains("wsgihost_request_duration_seconds_bucket{le=\"+Inf\"}", metrics);

        string auto = await host.Client.GetStringAsync("/server-status?auto");
        Assert.Matches(@"Total Accesses: \d+", auto);
        Assert.Contains("WsgiHost Status", await host.Client.GetStringAsync("/server-status"));

        using (var denied = await host.Client.GetAsync("/private-status"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        }
        Assert.Equal(0, await host.StopAsync());
    }
}
