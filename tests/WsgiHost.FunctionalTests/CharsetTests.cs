using System.Net;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// Core's AddDefaultCharset on every response and mod_mime's AddCharset, AddLanguage, RemoveType
/// and DefaultLanguage on the files WsgiHost serves, written as Debian's stock mime.conf and
/// charset.conf write them (tests/apps/configs/charset.conf, tests/apps/typed.wsgi).
/// </summary>
public sealed class CharsetTests
{
    [Fact]
    public async Task AnAppsTextResponseWithoutACharsetGetsTheDefaultOne()
    {
        await using var host = await WsgiHostProcess.RunConfigAsync("charset.conf");
        (string Path, string Type)[] asked =
        [
            ("/app", "text/html"), ("/app", "text/plain"), ("/app", "text/html; charset=iso-8859-1"), ("/app", "application/json"),
            ("/app", "text/css"), ("/daemon", "text/html"), ("/daemon", "text/html; charset=windows-1252"), ("/legacy", "text/html"),
            ("/raw", "text/html"),
        ];

        var seen = new List<string>();
        foreach (var (path, type) in asked)
        {
            (string? Type, string? Charset, string? Language) media = await MediaAsync(host, $"{path}?type={Uri.EscapeDataString(type)}");
            seen.Add($"{path} {type} -> {media.Type} {media.Charset ?? "(none)"}");
        }

        Assert.Equal(
        [
            "/app text/html -> text/html UTF-8",
            "/app text/plain -> text/plain UTF-8",
            "/app text/html; charset=iso-8859-1 -> text/html iso-8859-1",
            "/app application/json -> application/json (none)",
            "/app text/css -> text/css (none)",
            "/daemon text/html -> text/html UTF-8",
            "/daemon text/html; charset=windows-1252 -> text/html windows-1252",
            // AddDefaultCharset On in the section: Apache's iso-8859-1.
            "/legacy text/html -> text/html iso-8859-1",
            // AddDefaultCharset Off in the section undoes the server's.
            "/raw text/html -> text/html (none)",
        ], seen);
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task FilesGetTheirCharsetAndLanguageFromTheirExtensions()
    {
        await using var host = await WsgiHostProcess.RunConfigAsync("charset.conf");

        (string? Type, string? Charset, string? Language) english = await MediaAsync(host, "/files/page.html.en");
        (string? Type, string? Charset, string? Language) french = await MediaAsync(host, "/files/page.html.fr");
        (string? Type, string? Charset, string? Language) spanish = await MediaAsync(host, "/files/index.html.es");
        (string? Type, string? Charset, string? Language) notes = await MediaAsync(host, "/files/notes.txt");
        (string? Type, string? Charset, string? Language) menu = await MediaAsync(host, "/files/menu.euc-jp.txt");
        (string? Type, string? Charset, string? Language) styles = await MediaAsync(host, "/files/site.css");
        (string? Type, string? Charset, string? Language) utf8Styles = await MediaAsync(host, "/files/site.utf8.css");
        (string? Type, string? Charset, string? Language) folder = await MediaAsync(host, "/files/fr/welcome.html");

        Assert.Equal(("text/html", "UTF-8", "en"), english);
        Assert.Equal(("text/html", "UTF-8", "fr"), french);
        // RemoveType es: text/html from .html, not /etc/mime.types' ECMAScript from .es.
        Assert.Equal(("text/html", "UTF-8", "es"), spanish);
        Assert.Equal(("text/plain", "UTF-8", null), notes);
        // AddCharset names the charset; AddDefaultCharset adds none to a type that has one.
        Assert.Equal(("text/plain", "EUC-JP", null), menu);
        Assert.Equal(("text/css", null, null), styles);
        Assert.Equal(("text/css", "UTF-8", null), utf8Styles);
        // DefaultLanguage of the folder's <Directory>.
        Assert.Equal(("text/html", "UTF-8", "fr"), folder);
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task ANotModifiedAnswerCarriesNoLanguage()
    {
        await using var host = await WsgiHostProcess.RunConfigAsync("charset.conf");
        using HttpResponseMessage first = await host.Client.GetAsync("/files/page.html.en");
        using var again = new HttpRequestMessage(HttpMethod.Get, "/files/page.html.en");
        again.Headers.IfNoneMatch.Add(first.Headers.ETag!);

        using HttpResponseMessage cached = await host.Client.SendAsync(again);

        Assert.Equal(HttpStatusCode.NotModified, cached.StatusCode);
        Assert.False(cached.Content.Headers.Contains("Content-Language"));
        Assert.Equal(0, await host.StopAsync());
    }

    private static async Task<(string? Type, string? Charset, string? Language)> MediaAsync(WsgiHostProcess host, string path)
    {
        using HttpResponseMessage response = await host.Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string? language = response.Content.Headers.ContentLanguage.Count > 0 ? string.Join(",", response.Content.Headers.ContentLanguage) : null;
        return (response.Content.Headers.ContentType?.MediaType, response.Content.Headers.ContentType?.CharSet, language);
    }
}
