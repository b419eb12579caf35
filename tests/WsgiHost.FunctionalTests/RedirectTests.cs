using System.Net;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>mod_alias's Redirect and RedirectMatch over real HTTP (tests/apps/configs/headers.conf), as a moved site's config has them.</summary>
public sealed class RedirectTests
{
    private static Task<HttpResponseMessage> GetAsync(WsgiHostProcess host, string path, HttpMethod? method = null) =>
        host.ClientWithoutRedirects.SendAsync(new HttpRequestMessage(method ?? HttpMethod.Get, path));

    [Fact]
    public async Task RedirectsAnswerBeforeAnyAliasWithApachesPageAndOnlyTheAlwaysHeaders()
    {
        await using var host = await WsgiHostProcess.RunConfigAsync("headers.conf");

        using HttpResponseMessage moved = await GetAsync(host, "/old/env?x=1");
        Assert.Equal(HttpStatusCode.MovedPermanently, moved.StatusCode);
        Assert.Equal("/app/env?x=1", moved.Headers.Location?.OriginalString);
        string page = await moved.Content.ReadAsStringAsync();
        Assert.Contains("<title>301 Moved Permanently</title>", page, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/app/env?x=1\">here</a>", page, StringComparison.Ordinal);
        // A redirect is the server's own answer: "Header always" applies, the default onsuccess does not.
        Assert.True(moved.Headers.Contains("Strict-Transport-Security"));
        Assert.False(moved.Headers.Contains("X-Frame-Options"));

        using HttpResponseMessage post = await GetAsync(host, "/blog/42");
        Assert.Equal(HttpStatusCode.MovedPermanently, post.StatusCode);
        Assert.Equal("https://blog.example.com/posts/42", post.Headers.Location?.OriginalString);

        // Redirect gone inside a WSGIScriptAlias's URL space: 410 before the app is asked.
        using HttpResponseMessage gone = await GetAsync(host, "/app/retired/page");
        Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        Assert.Contains("no longer available", await gone.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using HttpResponseMessage head = await GetAsync(host, "/old/", HttpMethod.Head);
        Assert.Equal((HttpStatusCode.MovedPermanently, "/app/"), (head.StatusCode, head.Headers.Location?.OriginalString));

        using HttpResponseMessage app = await GetAsync(host, "/app/env");
        Assert.Equal(HttpStatusCode.OK, app.StatusCode);
        await host.WaitForOutputAsync("seen /old/env ");
        Assert.Equal(0, await host.StopAsync());
    }
}
