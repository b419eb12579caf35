using Microsoft.Playwright;

namespace WsgiHost.FunctionalTests.Infrastructure;

/// <summary>
/// Debian's Chromium (/usr/bin/chromium, installed by scripts/setup.sh), headless, driven through
/// Playwright's bundled Node driver: no browser is downloaded and the only traffic is to the
/// pages a test opens on 127.0.0.1. One browser per test. Every response, failed request and
/// uncaught script error is recorded, and <see cref="RunAsync"/> saves a screenshot when a step fails.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    public const string Executable = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly List<NetworkEntry> _responses = [];
    private readonly List<string> _problems = [];
    private readonly HashSet<IRequest> _unfinished = [];

    private HeadlessChromium(IPlaywright playwright, IBrowser browser, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Page = page;
        page.Response += (_, r) => Record(new NetworkEntry(r.Status, r.Request.Method, r.Url, r.Request.ResourceType));
        page.RequestFailed += (_, r) => Problem($"failed: {r.Method} {r.Url} ({r.Failure})");
        // Requests sent and neither finished nor failed: what a page that never loads waits for.
        page.Request += (_, r) => Unfinished(r, add: true);
        page.RequestFinished += (_, r) => Unfinished(r, add: false);
        page.RequestFailed += (_, r) => Unfinished(r, add: false);
        page.PageError += (_, message) => Problem($"script error on {page.Url}: {message}");
    }

    public IPage Page { get; }

    /// <summary>Every response the page received so far, in order.</summary>
    public IReadOnlyList<NetworkEntry> Responses
    {
        get
        {
            lock (_responses)
            {
                return [.. _responses];
            }
        }
    }

    /// <summary>4xx/5xx responses, requests that got no response, uncaught script errors.</summary>
    public IReadOnlyList<string> Problems
    {
        get
        {
            lock (_problems)
            {
                return [.. _problems];
            }
        }
    }

    public static async Task<HeadlessChromium> LaunchAsync()
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} is missing: the browser tests need Debian's chromium package (scripts/setup.sh installs it: apt-get install chromium)");
        }
        IPlaywright playwright = await Playwright.CreateAsync();
        try
        {
            IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Executable,
                // The full browser in its new headless mode (the last --headless wins over Playwright's own).
                Headless = true,
                // --no-sandbox: Chromium's sandbox refuses to start as root (CI runs as root); the pages are our own.
                ChromiumSandbox = false,
                // Nothing but the test's pages: no update checks, field trials, sync or first-run pings.
                Args = ["--headless=new", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-default-apps"],
                Timeout = 60_000,
            });
            IPage page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
            // Generous: other builds and tests share the machine's two cores.
            page.SetDefaultTimeout(60_000);
            page.SetDefaultNavigationTimeout(60_000);
            // And for the polled assertions (Assertions.Expect), whose own default is 5 s.
            Assertions.SetDefaultExpectTimeout(60_000);
            return new HeadlessChromium(playwright, browser, page);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs a test's browser steps; when one fails, saves a screenshot of the page under
    /// TestResults/browser (or $WSGIHOST_TEST_ARTIFACTS) and fails with its path, the page's URL and the network log.
    /// </summary>
    public async Task RunAsync(string name, Func<IPage, Task> steps)
    {
        try
        {
            await steps(Page);
        }
        catch (Exception e)
        {
            string shot = await ScreenshotAsync(name);
            string network = string.Join("\n", Responses.Select(r => "  " + r));
            string unfinished;
            lock (_unfinished)
            {
                unfinished = string.Join("; ", _unfinished.Select(r => $"{r.Method} {r.Url} ({r.ResourceType})"));
            }
            throw new Xunit.Sdk.XunitException($"{e.GetType().Name}: {e.Message}\nbrowser at: {Page.Url} (document {await ReadyStateAsync()})\nscreenshot: {shot}\nproblems: {string.Join("; ", Problems)}\nunfinished requests: {unfinished}\nnetwork:\n{network}\n{e.StackTrace}");
        }
    }

    private async Task<string> ReadyStateAsync()
    {
        try
        {
            return await Page.EvaluateAsync<string>("() => document.readyState");
        }
        catch (PlaywrightException e)
        {
            return $"state unknown: {e.Message}";
        }
    }

    private void Unfinished(IRequest request, bool add)
    {
        lock (_unfinished)
        {
            if (add)
            {
                _unfinished.Add(request);
            }
            else
            {
                _unfinished.Remove(request);
            }
        }
    }

    private async Task<string> ScreenshotAsync(string name)
    {
        string folder = Path.Combine(Environment.GetEnvironmentVariable("WSGIHOST_TEST_ARTIFACTS") ?? Path.Combine(WsgiHostProcess.RepoRoot, "TestResults"), "browser");
        string path = Path.Combine(folder, $"{string.Concat(name.Select(c => char.IsLetterOrDigit(c) || c == '-' ? c : '_'))}-{DateTime.UtcNow:yyyyMMdd-HHmmss}.png");
        try
        {
            Directory.CreateDirectory(folder);
            await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true, Timeout = 15_000 });
            return path;
        }
        catch (Exception e) when (e is PlaywrightException or IOException or UnauthorizedAccessException)
        {
            return $"(none: {e.Message})";
        }
    }

    private void Record(NetworkEntry entry)
    {
        lock (_responses)
        {
            _responses.Add(entry);
        }
        if (entry.Status >= 400)
        {
            Problem(entry.ToString());
        }
    }

    private void Problem(string text)
    {
        lock (_problems)
        {
            _problems.Add(text);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.CloseAsync();
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}

/// <summary>One response the browser received: status, method, URL and what asked for it (document, stylesheet, script...).</summary>
public sealed record NetworkEntry(int Status, string Method, string Url, string ResourceType)
{
    public string Path => new Uri(Url).AbsolutePath;

    public override string ToString() => $"{Status} {Method} {Url} ({ResourceType})";
}
