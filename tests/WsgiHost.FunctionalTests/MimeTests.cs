using System.Net;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>mod_mime's AddType, ForceType and AddEncoding on the files WsgiHost serves (tests/apps/configs/headers.conf).</summary>
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

    [Fact]
    public async Task AnEncodedFileIsSentAsItIsWithTheEncodingAddEncodingGivesItAndNeverCompressedAgain()
    {
        await using var host = await WsgiHostProcess.RunConfigAsync("headers.conf");
        byte[] file = await File.ReadAllBytesAsync(Path.Combine(WsgiHostProcess.TestAppsDirectory, "compress-static", "logo.svgz"));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/static/logo.svgz");
        request.Headers.Add("Accept-Encoding", "gzip, br");
        using HttpResponseMessage response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/svg+xml", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["gzip"], response.Content.Headers.ContentEncoding);
        Assert.Equal(file, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(0, await host.StopAsync());
    }
}
