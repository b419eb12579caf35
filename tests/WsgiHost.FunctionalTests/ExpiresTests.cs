using System.Net;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>mod_expires over real HTTP (tests/apps/configs/headers.conf): static files and app pages get Expires and max-age; errors do not.</summary>
public sealed class ExpiresTests
{
    [Fact]
    public async Task StaticFilesAndAppPagesGetExpiresAndMaxAgeFromTheirRules()
    {
        await using var host = await WsgiHostProcess.RunConfigAsync("headers.conf");

        using HttpResponseMessage css = await host.Client.GetAsync("/static/site.css");
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        Assert.Equal(TimeSpan.FromDays(365), css.Headers.CacheControl?.MaxAge);
        DateTimeOffset expires = css.Content.Headers.Expires!.Value;
        Assert.InRange(expires - css.Headers.Date!.Value, TimeSpan.FromDays(365) - TimeSpan.FromSeconds(5), TimeSpan.FromDays(365) + TimeSpan.FromSeconds(5));

        // ExpiresDefault "modification plus 1 hour": from the file's Last-Modified.
        using HttpResponseMessage json = await host.Client.GetAsync("/static/data.json");
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        Assert.Equal(json.Content.Headers.LastModified!.Value.AddHours(1), json.Content.Headers.Expires);

        // A revalidation's 304 carries them too.
        var conditional = new HttpRequestMessage(HttpMethod.Get, "/static/site.css");
        conditional.Headers.TryAddWithoutValidation("If-None-Match", css.Headers.ETag!.ToString());
        using HttpResponseMessage notModified = await host.Client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(TimeSpan.FromDays(365), notModified.Headers.CacheControl?.MaxAge);

        using HttpResponseMessage page = await host.Client.GetAsync("/app/cached/env");
        Assert.Equal(TimeSpan.FromSeconds(300), page.Headers.CacheControl?.MaxAge);

        using HttpResponseMessage missing = await host.Client.GetAsync("/static/missing.css");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Null(missing.Headers.CacheControl);
        Assert.Null(missing.Content.Headers.Expires);
        Assert.Equal(0, await host.StopAsync());
    }
}
