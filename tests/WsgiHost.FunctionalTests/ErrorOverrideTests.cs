using System.Net;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// WSGIErrorOverride On (error-override.conf): a daemon app's error status is answered with
/// the site's ErrorDocument for it, else the server's own page, and the app's body is dropped;
/// its successful responses pass as they are. Without it the app's own error page goes out.
/// </summary>
public sealed class ErrorOverrideTests
{
    [Fact]
    public async Task AnAppsErrorGivesWayToTheSitesPageOnlyWhereTheOverrideIsOn()
    {
        await using var host = await WsgiHostProcess.RunConfigAsync("error-override.conf");

        using HttpResponseMessage branded = await host.Client.GetAsync("/branded/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, branded.StatusCode);
        Assert.Equal("Site-branded not found page", await branded.Content.ReadAsStringAsync());

        using HttpResponseMessage plain = await host.Client.GetAsync("/plain/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, plain.StatusCode);
        string page = await plain.Content.ReadAsStringAsync();
        Assert.Contains("<title>404 Not Found</title>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("no route", page, StringComparison.Ordinal);

        using HttpResponseMessage own = await host.Client.GetAsync("/own/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, own.StatusCode);
        Assert.Contains("no route '/nothing-here'", await own.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // A success passes through, and the connection to the worker stays usable after the drops.
        Assert.Equal("GET", await host.Client.GetStringAsync("/branded/method"));
        Assert.Equal("GET", await host.Client.GetStringAsync("/plain/method"));
    }
}
