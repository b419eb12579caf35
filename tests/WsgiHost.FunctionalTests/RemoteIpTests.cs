using System.Net;
using System.Text.Json;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>mod_remoteip over real HTTP (tests/apps/configs/headers.conf): the client behind the proxy for REMOTE_ADDR, Require ip and the log.</summary>
public sealed class RemoteIpTests
{
    private static async Task<HttpResponseMessage> GetAsync(WsgiHostProcess host, string path, string? forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (forwardedFor != null)
        {
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
        }
        return await host.Client.SendAsync(request);
    }

    [Theory]
    [InlineData("/app")]
    [InlineData("/daemon")]
    public async Task TheClientBehindTheProxyIsTheRequestsClient(string mount)
    {
        await using var host = await WsgiHostProcess.RunConfigAsync("headers.conf");

        // 127.0.0.1 (this test, an internal proxy) passed on a request from 198.51.100.7 (a
        // trusted outside proxy), which passed it on from 203.0.113.9; 192.0.2.1 is what the
        // client itself claimed, and stays in the header.
        using HttpResponseMessage response = await GetAsync(host, mount + "/env", "192.0.2.1, 203.0.113.9, 198.51.100.7");

        var environ = JsonSerializer.Deserialize<Dictionary<string, string?>>(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(("203.0.113.9", "192.0.2.1"), (environ["REMOTE_ADDR"], environ["HTTP_X_FORWARDED_FOR"]));
        await host.WaitForOutputAsync($"seen {mount}/env tenant=- bot=- role=frontend upstream=app-7 client=203.0.113.9 peer=127.0.0.1");
        Assert.Equal(0, await host.StopAsync());
    }

    [Fact]
    public async Task RequireIpSeesTheClientAndAnOutsideProxyCannotClaimAPrivateAddress()
    {
        await using var host = await WsgiHostProcess.RunConfigAsync("headers.conf");

        using HttpResponseMessage partner = await GetAsync(host, "/app/partners", "203.0.113.20");
        using HttpResponseMessage direct = await GetAsync(host, "/app/partners", null);
        using HttpResponseMessage other = await GetAsync(host, "/app/partners", "192.0.2.50");
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (partner.StatusCode, direct.StatusCode, other.StatusCode));

        // 198.51.100.7 is trusted, not internal: the 10.1.1.1 it presents is not believed, so
        // the client is the proxy itself.
        using HttpResponseMessage spoof = await GetAsync(host, "/app/env", "10.1.1.1, 198.51.100.7");
        var environ = JsonSerializer.Deserialize<Dictionary<string, string?>>(await spoof.Content.ReadAsStringAsync())!;
        Assert.Equal(("198.51.100.7", "10.1.1.1"), (environ["REMOTE_ADDR"], environ["HTTP_X_FORWARDED_FOR"]));
        Assert.Equal(0, await host.StopAsync());
    }
}
