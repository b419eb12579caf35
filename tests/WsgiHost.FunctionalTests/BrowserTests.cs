using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// The example sites in a real browser (headless Chromium): what a person clicking through them
/// sees, including every stylesheet and script the pages load and the CSRF-protected forms.
/// </summary>
[Collection(HeavyCollection.Name)]
public sealed class BrowserTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TheDjangoAdminUnderBlogLogsInAddsAPostAndLogsOut(bool daemon)
    {
        await using var site = await DjangoSite.StartAsync(daemon);
        await using var chromium = await HeadlessChromium.LaunchAsync();
        string root = site.Host.Client.BaseAddress!.ToString().TrimEnd('/');
        string mode = daemon ? "daemon" : "embedded";
        string title = $"Hello from Chromium ({mode}) & <friends>";

        await chromium.RunAsync($"django-admin-{mode}", async page =>
        {
            // Not logged in: the admin sends the browser to its login page, under the mount.
            await page.GotoAsync(root + "/blog/admin/");
            Assert.Equal("/blog/admin/login/", PathOf(page));
            Assert.Equal("?next=/blog/admin/", new Uri(page.Url).Query);
            await AssertAdminStyledAsync(page);

            // The login form's POST passes Django's CSRF check under the sub-URL.
            await page.FillAsync("#id_username", DjangoSite.AdminUser);
            await page.FillAsync("#id_password", DjangoSite.AdminPassword);
            await page.ClickAsync("input[type=submit]");
            await ArrivedAtAsync(page, "/blog/admin/");
            await Assertions.Expect(page.Locator("#content h1")).ToHaveTextAsync("Site administration");
            await Assertions.Expect(page.Locator("#user-tools strong")).ToContainTextAsync("admin");

            // The add form: its scripts run (the admin's jQuery), and its POST is accepted too.
            await page.ClickAsync("a.addlink[href='/blog/admin/posts/post/add/']");
            await ArrivedAtAsync(page, "/blog/admin/posts/post/add/");
            Assert.True(await page.EvaluateAsync<bool>("() => typeof window.django === 'object' && typeof window.django.jQuery === 'function'"),
                "the admin's JavaScript (django.jQuery) did not load on the add form");
            await page.FillAsync("#id_title", title);
            await page.FillAsync("#id_body", "Written through WsgiHost.");
            await page.ClickAsync("input[name=_save]");
            await ArrivedAtAsync(page, "/blog/admin/posts/post/");
            await Assertions.Expect(page.Locator(".messagelist .success")).ToContainTextAsync(title);
            await Assertions.Expect(page.Locator("#result_list tbody th a")).ToHaveTextAsync(title);
            Assert.StartsWith("/blog/admin/posts/post/", await page.GetAttributeAsync("#result_list tbody th a", "href"));

            // The public page lists it, styled by the blog's own collected stylesheet.
            await page.GotoAsync(root + "/blog/");
            Assert.Equal(title, await page.TextContentAsync("article h2"));
            Assert.Equal(daemon ? "Served by daemon group django-site." : "Served by the server process (embedded).", await page.TextContentAsync("footer"));
            Assert.Equal("640px", await page.EvaluateAsync<string>("() => getComputedStyle(document.body).maxWidth"));   // site.css: 40em

            // Log out: the admin says goodbye, and the session is gone.
            await page.GotoAsync(root + "/blog/admin/");
            await page.ClickAsync("#user-tools a[href='/blog/admin/logout/']");
            await ArrivedAtAsync(page, "/blog/admin/logout/");
            await Assertions.Expect(page).ToHaveTitleAsync("Logged out | Django site admin");
            await Assertions.Expect(page.Locator("#content")).ToContainTextAsync("Thanks for spending some quality time with the Web site today.");
            await page.GotoAsync(root + "/blog/admin/posts/post/");
            Assert.Equal("/blog/admin/login/", PathOf(page));

            IReadOnlyList<NetworkEntry> responses = chromium.Responses;
            Assert.Empty(chromium.Problems);
            Assert.Contains(responses, r => r is { Method: "POST", Path: "/blog/admin/login/", Status: 302 });
            Assert.Contains(responses, r => r is { Method: "POST", Path: "/blog/admin/posts/post/add/", Status: 302 });
            // Every stylesheet and script came from the server's Alias for the collected static
            // files, except the admin's translations, which Django's jsi18n view writes.
            var assets = responses.Where(r => r.ResourceType is "stylesheet" or "script").ToList();
            Assert.Contains(assets, r => r.Path == "/blog/static/admin/css/base.css");
            Assert.Contains(assets, r => r.Path == "/blog/static/posts/site.css");
            Assert.Contains(assets, r => r.Path.StartsWith("/blog/static/admin/js/", StringComparison.Ordinal));
            Assert.All(assets, r => Assert.True(
                r.Status is 200 or 304 && (r.Path.StartsWith("/blog/static/", StringComparison.Ordinal) || r.Path == "/blog/admin/jsi18n/"), r.ToString()));
        });
        Assert.Equal(0, await site.Host.StopAsync());
    }

    [Fact]
    public async Task TheFlaskFormRoundTripsInTheBrowser()
    {
        int port = WsgiHostProcess.FreePort();
        await using var host = await WsgiHostProcess.RunAsync(Path.Combine(WsgiHostProcess.RepoRoot, "examples", "flask-site", "site.conf"), port,
            new Dictionary<string, string> { ["PORT"] = port.ToString(CultureInfo.InvariantCulture) });
        await using var chromium = await HeadlessChromium.LaunchAsync();
        const string note = "Grüße from Chromium <3";

        await chromium.RunAsync("flask-form", async page =>
        {
            await page.GotoAsync($"http://127.0.0.1:{port}/notes-site/");
            Assert.Equal("Notes", await page.TitleAsync());
            await page.FillAsync("input[name=text]", note);
            await page.ClickAsync("button");
            await page.Locator("li", new PageLocatorOptions { HasText = note }).WaitForAsync();
            Assert.Equal("/notes-site/", PathOf(page));
            Assert.Contains(chromium.Responses, r => r is { Method: "POST", Path: "/notes-site/notes", Status: 302 });
            Assert.Empty(chromium.Problems);

            // An empty note: the form comes back with the error, as a 400 page.
            await page.FillAsync("input[name=text]", "   ");
            await page.ClickAsync("button");
            Assert.Equal("A note needs some text.", await page.TextContentAsync(".error"));
            Assert.Equal(note, await page.TextContentAsync("li"));
            NetworkEntry rejected = Assert.Single(chromium.Responses, r => r.Status >= 400);
            Assert.Equal(("POST", "/notes-site/notes", 400), (rejected.Method, rejected.Path, rejected.Status));
        });
        Assert.Equal(0, await host.StopAsync());
    }

    private static string PathOf(IPage page) => new Uri(page.Url).AbsolutePath;

    /// <summary>
    /// Waits until the page's document is the one at <paramref name="path"/> (query aside) and
    /// has loaded, by polling its URL and then its <c>document.readyState</c> in the page, not by
    /// waiting for Playwright's load event: a CI run once saw Playwright report "networkidle"
    /// after every response had arrived but never "load" in 60 s (24 runs, 12 in each mode, on
    /// two busy cores here did not repeat it), and <c>WaitForURLAsync</c> waits for that event
    /// even when told to wait only for the commit, if the URL already matches. Loaded, not only
    /// committed: the test's next click leaves the page, which would abort what it still loads,
    /// and every failed request is one of <see cref="HeadlessChromium.Problems"/>, which must be empty.
    /// </summary>
    private static async Task ArrivedAtAsync(IPage page, string path)
    {
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("^https?://[^/]+" + Regex.Escape(path) + @"(\?[^#]*)?(#.*)?$"));
        await page.WaitForFunctionAsync("() => document.readyState === 'complete'");
    }

    /// <summary>The admin's base.css applied: its header is the admin's blue, not the browser's default.</summary>
    private static async Task AssertAdminStyledAsync(IPage page) =>
        Assert.Equal("rgb(65, 118, 144)", await page.EvaluateAsync<string>("() => getComputedStyle(document.querySelector('#header')).backgroundColor"));
}
