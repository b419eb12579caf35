using System.Net;
using System.Text.Json;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>examples/flask-site: a template, a form post, a JSON API and a streamed response, embedded and in a daemon group.</summary>
public sealed class FlaskSiteTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TheFlaskSiteWorksUnderItsMount(bool daemon)
    {
        int port = WsgiHostProcess.FreePort();
        var defines = new Dictionary<string, string> { ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (!daemon)
        {
            defines["EMBEDDED"] = "1";
        }
        await using var host = await WsgiHostProcess.RunAsync(Path.Combine(WsgiHostProcess.RepoRoot, "examples", "flask-site", "site.conf"), port, defines);
        HttpClient client = host.ClientWithoutRedirects;

        string page = await client.GetStringAsync("/notes-site/");
        Assert.Contains("<form method=\"post\" action=\"/notes-site/notes\">", page);   // url_for knows the mount

        using (var post = await client.PostAsync("/notes-site/notes", new FormUrlEncodedContent([new("text", "from a test <b>")])))
        {
            Assert.Equal(HttpStatusCode.Found, post.StatusCode);
            Assert.Equal("/notes-site/", post.Headers.Location?.OriginalString);
        }
        Assert.Contains("<li>from a test &lt;b&gt;</li>", await client.GetStringAsync("/notes-site/"));   // escaped by the template
        using (var empty = await client.PostAsync("/notes-site/notes", new FormUrlEncodedContent([new("text", " ")])))
        {
            Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        }

        var api = JsonDocument.Parse(await client.GetStringAsync("/notes-site/api/notes")).RootElement;
        Assert.Equal(1, api.GetProperty("count").GetInt32());
        Assert.Equal("/notes-site", api.GetProperty("script_name").GetString());

        using var stream = await client.GetAsync("/notes-site/stream", HttpCompletionOption.ResponseHeadersRead);
        Assert.True(stream.Headers.TransferEncodingChunked);
        Assert.Equal("line 0\nline 1\nline 2\nline 3\nline 4\n", await stream.Content.ReadAsStringAsync());
        Assert.Equal(0, await host.StopAsync());
    }
}
