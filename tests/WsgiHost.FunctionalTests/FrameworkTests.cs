using System.Text.Json;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>Real frameworks from Debian's packages, on Debian's /usr/bin/python3.</summary>
public sealed class FrameworkTests
{
    [Fact]
    public async Task AFlaskAppServesJsonFormsAndTemplatesUnderAMountPoint()
    {
        await using var host = await WsgiHostProcess.StartAsync(WsgiHostProcess.App("flask_app.wsgi"), "--mount-point", "/shop");
        var api = JsonSerializer.Deserialize<JsonElement>(await host.Client.GetStringAsync("/shop/api/world?x=1"));
        Assert.Equal("world", api.GetProperty("hello").GetString());
        Assert.Equal("1", api.GetProperty("args").GetProperty("x").GetString());
        Assert.Equal("/shop", api.GetProperty("script_root").GetString());

        var form = new MultipartFormDataContent
        {
            { new StringContent("v1"), "f1" },
            { new ByteArrayContent(new byte[5000]), "upload", "data.bin" },
        };
        using var posted = await host.Client.PostAsync("/shop/form", form);
        var fields = JsonSerializer.Deserialize<JsonElement>(await posted.Content.ReadAsStringAsync());
        Assert.Equal("v1", fields.GetProperty("fields").GetProperty("f1").GetString());
        Assert.Equal("upload", fields.GetProperty("files")[0].GetString());

        Assert.Equal("<ul><li>a</li><li>&lt;b&gt;</li></ul>", await host.Client.GetStringAsync("/shop/page"));
        using var outside = await host.Client.GetAsync("/api/world");
        Assert.Equal(404, (int)outside.StatusCode);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task FlasksSendFileWithXSendFileIsSentByTheServer(bool embedded)
    {
        string downloads = WsgiHostProcess.App("downloads");
        string[] mode = embedded ? ["--embedded"] : [];
        await using var host = await WsgiHostProcess.StartAsync(WsgiHostProcess.App("flask_app.wsgi"), ["--x-sendfile-path", downloads, .. mode]);

        using HttpResponseMessage response = await host.Client.GetAsync("/download/manual.txt");

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(downloads, "manual.txt")), await response.Content.ReadAsStringAsync());
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.False(response.Headers.Contains("X-Sendfile"));
        Assert.DoesNotContain("Truncated", host.ErrorLog, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADjangoViewServesWithItsSettings()
    {
        await using var host = await WsgiHostProcess.StartAsync(WsgiHostProcess.App(Path.Combine("djsite", "django.wsgi")), "--mount-point", "/site");
        var hello = JsonSerializer.Deserialize<JsonElement>(await host.Client.GetStringAsync("/site/hello/w%C3%B6rld/"));
        Assert.Equal("wörld", hello.GetProperty("hello").GetString());
        Assert.Equal("/site/hello/wörld/", hello.GetProperty("path").GetString());
        Assert.Equal("/hello/wörld/", hello.GetProperty("path_info").GetString());
        Assert.Equal("djsite.settings", hello.GetProperty("settings").GetString());

        using var upload = await host.Client.PostAsync("/site/upload/", new ByteArrayContent(new byte[12345]));
        Assert.Equal("got 12345 bytes", await upload.Content.ReadAsStringAsync());

        using var missing = await host.Client.GetAsync("/site/nothing-here/");
        Assert.Equal(404, (int)missing.StatusCode);
    }

    [Fact]
    public async Task AnAppWrappedInTheWsgirefValidatorPasses()
    {
        await using var host = await WsgiHostProcess.StartAsync(WsgiHostProcess.App("validated.wsgi"));
        Assert.Equal("get:a=1", await host.Client.GetStringAsync("/?a=1"));
        using (var post = await host.Client.PostAsync("/", new StringContent("posted body")))
        {
            Assert.Equal("posted body", await post.Content.ReadAsStringAsync());
        }
        using (var eof = await host.Client.PostAsync("/read-to-eof", new StringContent("to the end")))
        {
            Assert.Equal("to the end", await eof.Content.ReadAsStringAsync());
        }
        Assert.DoesNotContain("AssertionError", host.ErrorLog);
        Assert.DoesNotContain("WSGIWarning", host.ErrorLog);
    }
}
