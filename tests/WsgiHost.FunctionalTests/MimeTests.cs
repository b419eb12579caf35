using System.Net;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>mod_mime's AddType and ForceType on the files WsgiHost serves (tests/apps/configs/headers.conf).</summary>
public sealed class MimeTests
{
    [Fact]
    public async Task AddTypeComesBeforeMimeTypesAndForceTypeTakesEveryFile()
    {
        await using var host = await WsgiHostProcess.RunConfigAsync("headers.conf");

        using HttpResponseMessage json = await host.Client.GetAsync("/static/data.json");
        using HttpResponseMessage css = await host.Client.GetAsync("/static/site.css");
        using HttpResponseMessage forced = await host.Client.GetAsync("/raw/site.css");

        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        Assert.Equal("application/vnd.example+json", json.Content.Headers.ContentType?.MediaType);
        Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
        Assert.Equal("text/plain", forced.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, await host.StopAsync());
    }
}
