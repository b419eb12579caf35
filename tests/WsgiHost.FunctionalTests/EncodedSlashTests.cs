using System.Net;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// How the request path is read, against `wsgihost run` (encoded-slashes.conf):
/// AllowEncodedSlashes Off refuses a path with %2F (404, Apache's AH00026), On gives the app a
/// '/', NoDecode gives it %2F as sent, in embedded and daemon mode; a virtual host without the
/// directive has the main server's. MergeSlashes Off keeps "//"; AcceptPathInfo Off refuses
/// a path after the script. The gateway app's own 404 names the PATH_INFO it was given.
/// </summary>
public sealed class EncodedSlashTests : IAsyncLifetime
{
    private WsgiHostProcess _host = null!;

    public async Task InitializeAsync() => _host = await WsgiHostProcess.RunConfigAsync("encoded-slashes.conf");

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("inherit.test", "/app/repos/group%2Fproject/x", "'/repos/group%2Fproject/x'")]
    [InlineData("inherit.test", "/daemon/repos/group%2fproject%20y", "'/repos/group%2fproject y'")]
    [InlineData("on.test", "/app/repos/group%2Fproject/x", "'/repos/group/project/x'")]
    [InlineData("inherit.test", "/app//repos///x", "'/repos/x'")]
    [InlineData("on.test", "/app//repos///x", "'//repos///x'")]
    [InlineData("on.test", "/app//repos//..//x", "'//repos//x'")]
    public async Task TheAppSeesThePathAsItsHostReadsIt(string host, string target, string pathInfo)
    {
        var (status, body) = await GetAsync(host, target);

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains($"no route {pathInfo}", body);
    }

    [Fact]
    public async Task AHostWithAllowEncodedSlashesOffRefusesItWith404AndSaysHowToAllowIt()
    {
        var (status, body) = await GetAsync("off.test", "/app/repos/group%2Fproject");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.DoesNotContain("no route", body);
        await _host.WaitForLogAsync("AH00026: found %2f (encoded '/') in URI path (/app/repos/group%2Fproject), returning 404 (AllowEncodedSlashes On or NoDecode allows it)");
    }

    [Theory]
    [InlineData("on.test")]
    [InlineData("inherit.test")]
    public async Task AnEncodedNulIsRefusedWhateverTheHostAllows(string host)
    {
        var (status, body) = await GetAsync(host, "/app/a%00b");

        // Kestrel refuses it before any routing (Apache: 404).
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.DoesNotContain("no route", body);
    }

    [Fact]
    public async Task AcceptPathInfoOffRefusesAPathAfterTheScriptAndLetsTheScriptItselfBe()
    {
        var (status, body) = await GetAsync("inherit.test", "/strict/environ");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.DoesNotContain("no route", body);
        await _host.WaitForLogAsync("AcceptPathInfo off disallows user's path");

        (status, body) = await GetAsync("inherit.test", "/strict");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("no route ''", body);
    }

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(string host, string target)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, target);
        request.Headers.Host = host;
        using HttpResponseMessage response = await _host.Client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
