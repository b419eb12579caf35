using System.Net;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>mod_rewrite's redirects and blocks over real HTTP (tests/apps/configs/rewrite.conf): certbot's port-80 virtual host runs as written.</summary>
public sealed class RewriteTests
{
    private static async Task<HttpResponseMessage> GetAsync(WsgiHostProcess host, string host_, string path, string? userAgent = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = host_;
        if (userAgent != null)
        {
            request.Headers.TryAddWithoutValidation("User-Agent", userAgent);
        }
        return await host.ClientWithoutRedirects.SendAsync(request);
    }

    [Fact]
    public async Task CertbotsPort80VirtualHostSendsEveryRequestToHttps()
    {
        await using var host = await WsgiHostProcess.RunConfigAsync("rewrite.conf");

        using HttpResponseMessage bare = await GetAsync(host, "example.com", "/shop/basket?item=3");
        using HttpResponseMessage www = await GetAsync(host, "www.example.com", "/");

        Assert.Equal((HttpStatusCode.MovedPermanently, "https://example.com/shop/basket?item=3"), (bare.StatusCode, bare.Headers.Location?.OriginalString));
        Assert.Equal((HttpStatusCode.MovedPermanently, "https://www.example.com/"), (www.StatusCode, www.Headers.Location?.OriginalString));
        Assert.Contains("<title>301 Moved Permanently</title>", await bare.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(bare.Headers.Contains("Strict-Transport-Security"));
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task ABlockedCrawlerGetsForbiddenStaticFilesPassAndWwwGoesToTheBareHost()
    {
        await using var host = await WsgiHostProcess.RunConfigAsync("rewrite.conf");

        using HttpResponseMessage crawler = await GetAsync(host, "app.test", "/env", "Mozilla/5.0 (compatible; BadBot/1.0)");
        using HttpResponseMessage crawlerStatic = await GetAsync(host, "app.test", "/static/site.css", "BadBot/1.0");
        using HttpResponseMessage person = await GetAsync(host, "app.test", "/env", "Mozilla/5.0");
        using HttpResponseMessage www = await GetAsync(host, "www.app.test", "/env?x=1");

        Assert.Equal(HttpStatusCode.Forbidden, crawler.StatusCode);
        Assert.Equal(HttpStatusCode.OK, crawlerStatic.StatusCode); // "- [L]" stops before the block
        Assert.Equal(HttpStatusCode.OK, person.StatusCode);
        Assert.Equal((HttpStatusCode.MovedPermanently, "http://app.test/env?x=1"), (www.StatusCode, www.Headers.Location?.OriginalString));
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task AnEFlagHandsTheAuthorizationHeaderToTheAppAsGuidesWriteIt()
    {
        await using var host = await WsgiHostProcess.RunConfigAsync("rewrite.conf");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/environ");
        request.Headers.Host = "api.test";
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer abc.def");
        using HttpResponseMessage response = await host.Client.SendAsync(request);
        var environ = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Bearer abc.def", environ.GetProperty("HTTP_AUTHORIZATION").GetProperty("value").GetString());
        // Several E flags on one rule, with $N and without a value.
        Assert.Equal("environ", environ.GetProperty("API_TAG").GetProperty("value").GetString());
        Assert.Equal("", environ.GetProperty("FLAGGED").GetProperty("value").GetString());

        using var plain = new HttpRequestMessage(HttpMethod.Get, "/environ");
        plain.Headers.Host = "api.test";
        using HttpResponseMessage plainResponse = await host.Client.SendAsync(plain);
        var plainEnviron = System.Text.Json.JsonDocument.Parse(await plainResponse.Content.ReadAsStringAsync()).RootElement;
        // ^(.*) matches an absent header as "", and Apache sets the variable to that.
        Assert.Equal("", plainEnviron.GetProperty("HTTP_AUTHORIZATION").GetProperty("value").GetString());
    }
}
