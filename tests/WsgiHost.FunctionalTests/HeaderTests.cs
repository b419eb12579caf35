using System.IO.Compression;
using System.Net;
using System.Text.Json;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// mod_setenvif and mod_headers as a moved site's config has them (tests/apps/configs/headers.conf),
/// over real HTTP, embedded and daemon: what the app sees of the variables and request headers,
/// what the client gets of the response headers, on the app's responses and on the server's own
/// error pages, and what the access log records and leaves out.
/// </summary>
public sealed class HeaderTests
{
    private static async Task<HttpResponseMessage> GetAsync(WsgiHostProcess host, string path, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var (name, value) in headers)
        {
            if (name == "Host")
            {
                request.Headers.Host = value;
            }
            else
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }
        return await host.Client.SendAsync(request);
    }

    private static async Task<Dictionary<string, string?>> EnvironAsync(HttpResponseMessage response) =>
        JsonSerializer.Deserialize<Dictionary<string, string?>>(await response.Content.ReadAsStringAsync())!;

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(" | ", values) : null;

    [Theory]
    [InlineData("/app")]
    [InlineData("/daemon")]
    public async Task VariablesAndRequestHeadersReachTheAppAndHeaderLinesEditItsResponse(string mount)
    {
        await using var host = await WsgiHostProcess.RunConfigAsync("headers.conf");

        using HttpResponseMessage response = await GetAsync(host, mount + "/env",
            ("X-Forwarded-Proto", "https"), ("Host", "shop.tenants.test"), ("User-Agent", "Mozilla/5.0 (compatible; Googlebot/2.1)"), ("X-Secret", "s3cret"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var environ = await EnvironAsync(response);
        // SetEnvIf X-Forwarded-Proto ^https$ HTTPS=on: the app sees https, as mod_wsgi shows it.
        Assert.Equal(("on", "https"), (environ["HTTPS"], environ["wsgi.url_scheme"]));
        Assert.Equal(("shop", "1", "frontend"), (environ["TENANT"], environ["is_bot"], environ["SITE_ROLE"]));
        Assert.Null(environ["internal_client"]);
        // RequestHeader set / unset, before the app runs.
        Assert.Equal(("wsgihost", null), (environ["HTTP_X_VIA_PROXY"], environ["HTTP_X_SECRET"]));

        Assert.Equal("max-age=63072000; includeSubDomains", Header(response, "Strict-Transport-Security"));
        Assert.Equal("SAMEORIGIN", Header(response, "X-Frame-Options"));    // replaces the app's DENY
        Assert.Null(Header(response, "X-Powered-By"));
        Assert.Equal("session=abc; Path=/; HttpOnly; Secure", Header(response, "Set-Cookie"));
        Assert.Equal("shop", Header(response, "X-Tenant"));                  // env=TENANT, with %{TENANT}e

        // The access log: %{VAR}e and the note Header note left.
        await host.WaitForOutputAsync($"seen {mount}/env tenant=shop bot=1 role=frontend upstream=app-7");
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task OnlyAlwaysLinesApplyToTheServersOwnErrorPagesWhileTheAppsOwnStatusesAndErrorDocumentFilesGetEveryLine()
    {
        await using var host = await WsgiHostProcess.RunConfigAsync("headers.conf");

        // The server's own page (a text ErrorDocument is one): only 'always' lines, as Apache's.
        using (HttpResponseMessage error = await GetAsync(host, "/app/internal"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
            Assert.Equal("max-age=63072000; includeSubDomains", Header(error, "Strict-Transport-Security"));
            Assert.Null(Header(error, "X-Frame-Options"));
        }
        // A local ErrorDocument's file is served as Apache's internal redirect serves it, with
        // every line (checked against Apache 2.4: Header set reaches the ErrorDocument 404 page).
        foreach (string path in new[] { "/app/crash", "/daemon/crash", "/nowhere" })
        {
            using HttpResponseMessage error = await GetAsync(host, path);
            Assert.True((int)error.StatusCode >= 400, $"{path}: {error.StatusCode}");
            Assert.Contains("the site's own", await error.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal("max-age=63072000; includeSubDomains", Header(error, "Strict-Transport-Security"));
            Assert.Equal("SAMEORIGIN", Header(error, "X-Frame-Options"));
        }

        foreach (string mount in new[] { "/app", "/daemon" })
        {
            using HttpResponseMessage appStatus = await GetAsync(host, mount + "/status/404");
            Assert.Equal(HttpStatusCode.NotFound, appStatus.StatusCode);
            Assert.Equal("SAMEORIGIN", Header(appStatus, "X-Frame-Options"));
            Assert.Equal("max-age=63072000; includeSubDomains", Header(appStatus, "Strict-Transport-Security"));
        }
        Assert.Equal(0, await host.StopAsync());
    }

    [Theory]
    [InlineData("/app/internal")]   // Require env internal_client
    [InlineData("/daemon/internal")] // Order deny,allow / Deny from all / Allow from env=internal_client
    public async Task AccessRulesReadTheVariablesSetEnvIfSet(string path)
    {
        await using var host = await WsgiHostProcess.RunConfigAsync("headers.conf");

        using HttpResponseMessage denied = await GetAsync(host, path);
        using HttpResponseMessage wrong = await GetAsync(host, path, ("X-Internal-Token", "guess"));
        using HttpResponseMessage allowed = await GetAsync(host, path, ("X-Internal-Token", "letmein"));

        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.OK), (denied.StatusCode, wrong.StatusCode, allowed.StatusCode));
        Assert.Equal("1", (await EnvironAsync(allowed))["internal_client"]);
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task CustomLogEnvLeavesOutTheRequestsSetEnvIfMarked()
    {
        await using var host = await WsgiHostProcess.RunConfigAsync("headers.conf");

        using HttpResponseMessage health = await GetAsync(host, "/app/health");
        using HttpResponseMessage after = await GetAsync(host, "/app/after");

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (health.StatusCode, after.StatusCode));
        string output = await host.WaitForOutputAsync("seen /app/after ");
        Assert.DoesNotContain("seen /app/health", output, StringComparison.Ordinal);
        Assert.Equal(0, await host.StopAsync());
    }

    /// <summary>mod_deflate's documentation example, verbatim in a Location: its SetEnvIf and Header lines now apply instead of being refused.</summary>
    [Theory]
    [InlineData("/app/docs/page.html", "Mozilla/5.0 (X11; Linux x86_64)", "gzip", "User-Agent,Accept-Encoding")]
    [InlineData("/app/docs/notes.txt", "Mozilla/5.0 (X11; Linux x86_64)", "gzip", "User-Agent,Accept-Encoding")]
    [InlineData("/app/docs/logo.png", "Mozilla/5.0 (X11; Linux x86_64)", "", "")]                           // no-gzip dont-vary
    [InlineData("/app/docs/page.html", "Mozilla/4.06 [en] (X11; I; Linux)", "", "User-Agent")]               // no-gzip
    [InlineData("/app/docs/notes.txt", "Mozilla/4.5 [en] (X11; I; Linux)", "", "User-Agent")] // gzip-only-text/html: as no-gzip
    [InlineData("/app/docs/page.html", "Mozilla/4.5 [en] (X11; I; Linux)", "gzip", "User-Agent,Accept-Encoding")]
    [InlineData("/app/docs/notes.txt", "Mozilla/4.0 (compatible; MSIE 6.0)", "gzip", "User-Agent,Accept-Encoding")] // MSIE unsets both
    public async Task TheModDeflateDocumentationExampleRuns(string path, string userAgent, string encoding, string vary)
    {
        await using var host = await WsgiHostProcess.RunConfigAsync("headers.conf");

        using HttpResponseMessage response = await GetAsync(host, path, ("User-Agent", userAgent), ("Accept-Encoding", "gzip"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(encoding, string.Join(",", response.Content.Headers.ContentEncoding));
        Assert.Equal(vary, string.Join(",", response.Headers.Vary));
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        if (encoding == "gzip")
        {
            using var plain = new MemoryStream();
            using (var gzip = new GZipStream(new MemoryStream(body), CompressionMode.Decompress))
            {
                await gzip.CopyToAsync(plain);
            }
            body = plain.ToArray();
        }
        Assert.StartsWith("<p>paragraph 0 of the document</p>", System.Text.Encoding.ASCII.GetString(body), StringComparison.Ordinal);
        Assert.Equal(0, await host.StopAsync());
    }
}
