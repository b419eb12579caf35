using System.Net;
using System.Text.RegularExpressions;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// examples/django-site over plain HTTP: the Django blog and its admin mounted at /blog (static
/// files from the server's Alias), a plain WSGI app at /, embedded and in a daemon group.
/// BrowserTests drives the same site in Chromium.
/// </summary>
public sealed partial class DjangoSiteTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TheBlogItsStaticFilesAndTheFrontAppShareOneHost(bool daemon)
    {
        await using var site = await DjangoSite.StartAsync(daemon);
        var cookies = new CookieContainer();
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = cookies }) { BaseAddress = site.Host.Client.BaseAddress };
        string servedBy = daemon ? "Served by daemon group django-site." : "Served by the server process (embedded).";

        // The front app at /, and only whole segments reach /blog (/blogger is the front app's).
        string home = await client.GetStringAsync("/");
        Assert.Contains("<h1>Welcome</h1>", home);
        Assert.Contains(servedBy, home);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/blogger")).StatusCode);

        string blog = await client.GetStringAsync("/blog/");
        Assert.Contains("No posts yet.", blog);
        Assert.Contains(servedBy, blog);
        Assert.Contains("<link rel=\"stylesheet\" href=\"/blog/static/posts/site.css\">", blog);   // relative STATIC_URL + SCRIPT_NAME

        using (var admin = await client.GetAsync("/blog/admin/"))
        {
            Assert.Equal(HttpStatusCode.Found, admin.StatusCode);
            Assert.Equal("/blog/admin/login/?next=/blog/admin/", admin.Headers.Location?.OriginalString);
        }

        // The login page sets the CSRF cookie and links the admin's CSS under the mount.
        using (var login = await client.GetAsync("/blog/admin/login/"))
        {
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
            string cookie = Assert.Single(login.Headers.GetValues("Set-Cookie"), c => c.Contains("csrftoken=", StringComparison.Ordinal));
            Assert.Contains("Path=/", cookie);
            string page = await login.Content.ReadAsStringAsync();
            Assert.Contains("href=\"/blog/static/admin/css/base.css\"", page);
            Assert.Contains("<form action=\"/blog/admin/login/\" method=\"post\" id=\"login-form\">", page);
        }

        // Static files come from the Alias: the collected copy, with its MIME type.
        foreach (string asset in new[] { "admin/css/base.css", "posts/site.css" })
        {
            using var css = await client.GetAsync("/blog/static/" + asset);
            Assert.Equal(HttpStatusCode.OK, css.StatusCode);
            Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(site.State, "static", asset)), await css.Content.ReadAsByteArrayAsync());
        }
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/blog/static/admin/css/missing.css")).StatusCode);

        // CSRF is enforced: a login without the token is refused, with it (and the cookie) it passes.
        using (var forged = await client.PostAsync("/blog/admin/login/", Form(("username", DjangoSite.AdminUser), ("password", DjangoSite.AdminPassword))))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
            Assert.Contains("CSRF verification failed", await forged.Content.ReadAsStringAsync());
        }
        await AssertLoginRefusedAsync(client, "not-the-password");
        await AssertLoginAcceptedAsync(client, DjangoSite.AdminPassword);
        string dashboard = await client.GetStringAsync("/blog/admin/");
        Assert.Contains("Site administration", dashboard);
        Assert.Contains("href=\"/blog/admin/posts/post/add/\"", dashboard);
        Assert.Equal(0, await site.Host.StopAsync());
    }

    [Fact]
    public async Task PrepareRunsAgainOnTheSameStateAndResetsTheAdminPassword()
    {
        string state = await DjangoSite.PrepareAsync();
        await DjangoSite.PrepareAsync(state, adminPassword: "a-new-password");
        await using var site = await DjangoSite.StartAsync(daemon: false, state);
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = site.Host.Client.BaseAddress };
        await AssertLoginRefusedAsync(client, DjangoSite.AdminPassword);
        await AssertLoginAcceptedAsync(client, "a-new-password");
        Assert.Equal(0, await site.Host.StopAsync());
    }

    private static async Task AssertLoginRefusedAsync(HttpClient client, string password)
    {
        using var response = await LoginAsync(client, password);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);   // the form again, with the error
        Assert.Contains("Please enter the correct username and password", await response.Content.ReadAsStringAsync());
    }

    private static async Task AssertLoginAcceptedAsync(HttpClient client, string password)
    {
        using var response = await LoginAsync(client, password);
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("/blog/admin/", response.Headers.Location?.OriginalString);
    }

    /// <summary>Posts the admin's login form as a browser would: the token from the page, the CSRF cookie in the client's jar.</summary>
    private static async Task<HttpResponseMessage> LoginAsync(HttpClient client, string password)
    {
        string page = await client.GetStringAsync("/blog/admin/login/?next=/blog/admin/");
        string token = CsrfField().Match(page).Groups[1].Value;
        Assert.NotEmpty(token);
        return await client.PostAsync("/blog/admin/login/?next=/blog/admin/", Form(("csrfmiddlewaretoken", token), ("username", DjangoSite.AdminUser), ("password", password)));
    }

    [Fact]
    public async Task CheckFindsNothingToFixInEitherMode()
    {
        // Not even a note: the blog's wsgi.py assigns DJANGO_SETTINGS_MODULE instead of setdefault().
        string config = Path.Combine(DjangoSite.Example, "site.conf");
        foreach (string[] extra in new[] { Array.Empty<string>(), ["-D", "EMBEDDED"] })
        {
            var (code, output, error) = await WsgiHostProcess.RunToEndAsync(["check", config, "-D", "STATE=/tmp/state", .. extra]);
            Assert.True(code == 0, output + error);
            Assert.Equal($"{config}: 0 error(s), 0 warning(s)", (output + error).Trim());
        }
    }

    private static FormUrlEncodedContent Form(params (string Name, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));

    [GeneratedRegex("name=\"csrfmiddlewaretoken\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfField();
}
