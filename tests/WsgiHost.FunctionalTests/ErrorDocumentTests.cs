using System.Net;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>ErrorDocument over real HTTP (tests/apps/configs/headers.conf): the site's pages for the server's own errors, and none for the app's.</summary>
public sealed class ErrorDocumentTests
{
    private static Task<HttpResponseMessage> GetAsync(WsgiHostProcess host, string path) => host.ClientWithoutRedirects.GetAsync(path);

    [Theory]
    [InlineData("/nowhere", HttpStatusCode.NotFound, "the site's own 404 page")]             // no mapping
    [InlineData("/static/missing.css", HttpStatusCode.NotFound, "the site's own 404 page")]  // the file handler
    [InlineData("/app/crash", HttpStatusCode.InternalServerError, "the site's own 500 page")] // embedded app raised
    [InlineData("/daemon/crash", HttpStatusCode.InternalServerError, "the site's own 500 page")] // in a daemon worker
    [InlineData("/app/internal", HttpStatusCode.Forbidden, "Staff only: ask the front desk for a token.")]
    public async Task TheServersOwnErrorsGetTheSitesPagesWithTheirStatus(string path, HttpStatusCode status, string text)
    {
        await using var host = await WsgiHostProcess.RunConfigAsync("headers.conf");

        using HttpResponseMessage response = await GetAsync(host, path);

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(text, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // Served from a file: its type is the file's.
        if (text.StartsWith("the site", StringComparison.Ordinal))
        {
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        }
        // The daemon worker's page was read off its connection: the next request on it works.
        using HttpResponseMessage next = await GetAsync(host, "/daemon/env");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task AnAbsoluteUrlRedirectsAndTheAppsOwnStatusesKeepTheAppsBody()
    {
        await using var host = await WsgiHostProcess.RunConfigAsync("headers.conf");

        using HttpResponseMessage moved = await GetAsync(host, "/static/moved/old.css");
        Assert.Equal(HttpStatusCode.Found, moved.StatusCode);
        Assert.Equal("https://archive.example.com/static/", moved.Headers.Location?.OriginalString);

        foreach (string mount in new[] { "/app", "/daemon" })
        {
            using HttpResponseMessage own = await GetAsync(host, mount + "/status/404");
            Assert.Equal(HttpStatusCode.NotFound, own.StatusCode);
            Assert.Equal("the app chose this status\n", await own.Content.ReadAsStringAsync());
        }
        Assert.Equal(0, await host.StopAsync());
    }
}
