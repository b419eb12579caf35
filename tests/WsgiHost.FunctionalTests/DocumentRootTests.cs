using System.Net;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>DocumentRoot: the files Apache's core handler serves for the URLs no Alias or WSGIScriptAlias maps.</summary>
public sealed class DocumentRootTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wsgihost-docroot-").FullName;

    public DocumentRootTests()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "htdocs", "private"));
        Directory.CreateDirectory(Path.Combine(_dir, "static"));
        File.WriteAllText(Path.Combine(_dir, "htdocs", "robots.txt"), "User-agent: *\nDisallow: /app/\n");
        File.WriteAllText(Path.Combine(_dir, "htdocs", "index.html"), "<h1>home</h1>");
        File.WriteAllText(Path.Combine(_dir, "htdocs", "private", "notes.txt"), "not for you");
        File.WriteAllText(Path.Combine(_dir, "static", "site.css"), "body { margin: 0 }");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Runs a site with the folders' DocumentRoot and /static/ alias, and <paramref name="more"/> after them; returns the server and its configuration file.</summary>
    private async Task<(WsgiHostProcess Host, string Config)> StartSiteAsync(string more)
    {
        string config = Path.Combine(_dir, "site.conf");
        int port = WsgiHostProcess.FreePort();
        File.WriteAllText(config, $"Listen 127.0.0.1:{port}\nDocumentRoot {_dir}/htdocs\nAlias /static/ {_dir}/static/\n{more}\n");
        return (await WsgiHostProcess.RunAsync(config, port, new Dictionary<string, string>()), config);
    }

    /// <summary>
    /// A ScriptAlias folder (CGI programs WsgiHost does not run) is accepted with a warning and
    /// its URLs are refused, even under the DocumentRoot and a grant: a program's source is never sent.
    /// </summary>
    [Fact]
    public async Task AScriptAliasFolderIsRefusedNeverSent()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "htdocs", "cgi-bin"));
        File.WriteAllText(Path.Combine(_dir, "htdocs", "cgi-bin", "stats.pl"), "#!/usr/bin/perl\nmy $password = 'secret';\n");
        var (host, config) = await StartSiteAsync($"ScriptAlias /cgi-bin/ {_dir}/htdocs/cgi-bin/\n<Directory {_dir}/htdocs>\n    Require all granted\n</Directory>");
        await using (host)
        {
            using HttpResponseMessage program = await host.Client.GetAsync("/cgi-bin/stats.pl");
            Assert.Equal(HttpStatusCode.Forbidden, program.StatusCode);
            Assert.DoesNotContain("secret", await program.Content.ReadAsStringAsync());
            Assert.Equal("<h1>home</h1>", await host.Client.GetStringAsync("/"));
            await host.WaitForLogAsync("and WsgiHost does not run CGI programs: refused (403)");
        }
        var (_, output, error) = await WsgiHostProcess.RunToEndAsync("check", config);
        Assert.Contains("site.conf:4: warning: ScriptAlias: CGI programs are not run by WsgiHost", output + error);
    }

    [Fact]
    public async Task AUrlNoAliasMapsIsServedFromTheDocumentRootUnderItsAccessRules()
    {
        string config = Path.Combine(_dir, "site.conf");
        int port = WsgiHostProcess.FreePort();
        File.WriteAllText(config, $"""
            Listen 127.0.0.1:{port}
            DocumentRoot {_dir}/htdocs
            Alias /static/ {_dir}/static/
            WSGIScriptAlias /app {WsgiHostProcess.App("gateway.wsgi")}
            <Directory {_dir}/htdocs/private>
                Require all denied
            </Directory>
            """);
        await using var host = await WsgiHostProcess.RunAsync(config, port, new Dictionary<string, string>());

        using HttpResponseMessage robots = await host.Client.GetAsync("/robots.txt");
        Assert.Equal(HttpStatusCode.OK, robots.StatusCode);
        Assert.Equal("text/plain", robots.Content.Headers.ContentType?.MediaType);
        Assert.Equal("User-agent: *\nDisallow: /app/\n", await robots.Content.ReadAsStringAsync());
        Assert.Equal("<h1>home</h1>", await host.Client.GetStringAsync("/"));
        Assert.Equal("body { margin: 0 }", await host.Client.GetStringAsync("/static/site.css"));
        Assert.Equal("GET", await host.Client.GetStringAsync("/app/method"));
        using HttpResponseMessage missing = await host.Client.GetAsync("/missing.txt");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using HttpResponseMessage denied = await host.Client.GetAsync("/private/notes.txt");
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
    }

    /// <summary>
    /// A .htaccess where AllowOverride lets it apply is never skipped: WsgiHost does not read it,
    /// so what is under it is 500 (Apache: what its rules say), and the log says what to move
    /// where; where AllowOverride is None, Apache ignores it and so does WsgiHost.
    /// </summary>
    [Fact]
    public async Task AnHtaccessFileThatWouldApplyIsNeverServedPast()
    {
        File.WriteAllText(Path.Combine(_dir, "htdocs", "private", ".htaccess"), "Require all denied\n");
        File.WriteAllText(Path.Combine(_dir, "static", ".htaccess"), "Require all denied\n");
        var (started, config) = await StartSiteAsync($"""
            <Directory {_dir}/htdocs>
                AllowOverride All
            </Directory>
            """);
        await using WsgiHostProcess host = started;

        using HttpResponseMessage refused = await host.Client.GetAsync("/private/notes.txt");
        Assert.Equal(HttpStatusCode.InternalServerError, refused.StatusCode);
        await host.WaitForLogAsync($"{_dir}/htdocs/private/.htaccess: .htaccess files are not read by WsgiHost");
        Assert.Equal("<h1>home</h1>", await host.Client.GetStringAsync("/"));
        // AllowOverride None (Apache 2.4's default) there: the file means nothing to either server.
        Assert.Equal("body { margin: 0 }", await host.Client.GetStringAsync("/static/site.css"));

        var (code, output, error) = await WsgiHostProcess.RunToEndAsync("check", config);
        Assert.Equal(0, code);
        Assert.Contains($"{_dir}/htdocs/private/.htaccess is not read by WsgiHost, and AllowOverride lets it apply here", output + error);
        Assert.DoesNotContain($"{_dir}/static/.htaccess", output + error);
    }

    /// <summary>
    /// Options -FollowSymLinks and SymLinksIfOwnerMatch keep a link in a served folder from
    /// serving what it points to, as Apache's 403; with Apache's default (FollowSymLinks) it does.
    /// </summary>
    [Fact]
    public async Task SymbolicLinksAreFollowedOnlyWhereOptionsAllowThem()
    {
        string outside = Path.Combine(_dir, "outside.txt");
        File.WriteAllText(outside, "outside the folders");
        File.CreateSymbolicLink(Path.Combine(_dir, "htdocs", "private", "link.txt"), outside);
        File.CreateSymbolicLink(Path.Combine(_dir, "static", "link.txt"), outside);
        Directory.CreateDirectory(Path.Combine(_dir, "owned"));
        File.CreateSymbolicLink(Path.Combine(_dir, "owned", "same-owner.txt"), outside);
        bool root = Environment.UserName == "root";
        string others = Path.Combine(_dir, "others.txt");
        File.WriteAllText(others, "another user's file");
        if (root)
        {
            WsgiHost.Daemon.DaemonIdentity.GiveTo(others, 4242, 4242);
        }
        File.CreateSymbolicLink(Path.Combine(_dir, "owned", "other-owner.txt"), others);
        var (started, _) = await StartSiteAsync($"""
            Alias /owned/ {_dir}/owned/
            <Directory {_dir}/htdocs>
                Options -FollowSymLinks
            </Directory>
            <Directory {_dir}/owned>
                Options SymLinksIfOwnerMatch
            </Directory>
            """);
        await using WsgiHostProcess host = started;

        using HttpResponseMessage refused = await host.Client.GetAsync("/private/link.txt");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        await host.WaitForLogAsync($"AH00037: Symbolic link not allowed or link target not accessible: {_dir}/htdocs/private/link.txt");
        // A file that is no link, in the same folder, is served.
        Assert.Equal("<h1>home</h1>", await host.Client.GetStringAsync("/"));
        Assert.Equal("outside the folders", await host.Client.GetStringAsync("/static/link.txt"));
        Assert.Equal("outside the folders", await host.Client.GetStringAsync("/owned/same-owner.txt"));
        if (root)
        {
            using HttpResponseMessage otherOwner = await host.Client.GetAsync("/owned/other-owner.txt");
            Assert.Equal(HttpStatusCode.Forbidden, otherOwner.StatusCode);
        }
    }

    [Fact]
    public async Task FilesWhoseNamesAreNotAsciiAreServedUnderTheirUtf8Names()
    {
        // Uploaded media: caf%C3%A9.jpg is the file whose name is the UTF-8 bytes c3 a9, as Apache
        // serves it; under its own access rule too (<Files> names it as written in the config).
        File.WriteAllText(Path.Combine(_dir, "static", "café menu.txt"), "croissant");
        File.WriteAllText(Path.Combine(_dir, "htdocs", "naïve.txt"), "root");
        File.WriteAllText(Path.Combine(_dir, "static", "geheim-ü.txt"), "secret");
        string config = Path.Combine(_dir, "site.conf");
        int port = WsgiHostProcess.FreePort();
        File.WriteAllText(config, $"""
            Listen 127.0.0.1:{port}
            DocumentRoot {_dir}/htdocs
            Alias /static/ {_dir}/static/
            <Directory {_dir}/static>
                <Files "geheim-ü.txt">
                    Require all denied
                </Files>
            </Directory>
            """);
        await using var host = await WsgiHostProcess.RunAsync(config, port, new Dictionary<string, string>());

        Assert.Equal("croissant", await host.Client.GetStringAsync("/static/caf%C3%A9%20menu.txt"));
        Assert.Equal("root", await host.Client.GetStringAsync("/na%C3%AFve.txt"));
        using HttpResponseMessage denied = await host.Client.GetAsync("/static/geheim-%C3%BC.txt");
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        // Not UTF-8 (latin-1 é): no file has that name.
        using HttpResponseMessage latin1 = await host.Client.GetAsync("/static/caf%E9%20menu.txt");
        Assert.Equal(HttpStatusCode.NotFound, latin1.StatusCode);
    }

    [Fact]
    public async Task ServeMountedBelowTheRootDoesNotServeItsWorkingDirectory()
    {
        // serve's DocumentRoot is the working directory, for DOCUMENT_ROOT only: the files next
        // to the app (its source, its settings) are never served.
        string script = Path.Combine(_dir, "app.wsgi");
        File.Copy(WsgiHostProcess.App("gateway.wsgi"), script);
        await using var host = await WsgiHostProcess.StartAsync(script, "--mount-point", "/app");
        Assert.Equal("GET", await host.Client.GetStringAsync("/app/method"));
        using HttpResponseMessage source = await host.Client.GetAsync("/app.wsgi");
        Assert.Equal(HttpStatusCode.NotFound, source.StatusCode);
    }
}
