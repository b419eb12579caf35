using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>close() on the returned iterable runs exactly once, whatever happened.</summary>
[Collection(GatewayCollection.Name)]
public sealed class CloseTests(GatewayServer server)
{
    private WsgiHostProcess Host => server.Host;

    private async Task<int> CloseCountAsync(string tag)
    {
        using var response = await Host.Client.GetAsync($"/close?count&{tag}");
        return int.Parse(await response.Content.ReadAsStringAsync());
    }

    private static string Tag() => Guid.NewGuid().ToString("N");

    [Fact]
    public async Task CloseRunsOnceAfterANormalResponse()
    {
        string tag = Tag();
        using var response = await Host.Client.GetAsync($"/close?normal&{tag}");
        Assert.Equal("onetwo", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, await CloseCountAsync(tag));
    }

    [Fact]
    public async Task CloseRunsOnceAfterAnExceptionMidIteration()
    {
        string tag = Tag();
        string response = await RawHttp.SendAsync(Host.Port, $"GET /close?fail-middle&{tag} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        Assert.DoesNotContain("\r\n0\r\n\r\n", response);
        await Host.WaitForLogAsync("failure in the middle of the body");
        Assert.Equal(1, await CloseCountAsync(tag));
    }

    [Fact]
    public async Task CloseRunsOnceAfterAnExceptionOnTheFirstItem()
    {
        string tag = Tag();
        using var response = await Host.Client.GetAsync($"/close?fail-first&{tag}");
        Assert.Equal(500, (int)response.StatusCode);
        Assert.Equal(1, await CloseCountAsync(tag));
    }

    [Fact]
    public async Task AnExceptionInCloseIsLoggedAndTheResponseStands()
    {
        string tag = Tag();
        using var response = await Host.Client.GetAsync($"/close?fail-close&{tag}");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("kept", await response.Content.ReadAsStringAsync());
        string log = await Host.WaitForLogAsync("RuntimeError: failure in close()");
        Assert.Contains("Exception occurred closing the iterable", log);
        Assert.Equal(1, await CloseCountAsync(tag));
    }

    [Fact]
    public async Task CloseRunsOnceWhenTheClientDisconnectsMidResponse()
    {
        string tag = Tag();
        using (var client = new System.Net.Sockets.TcpClient())
        {
            await client.ConnectAsync("127.0.0.1", Host.Port);
            var stream = client.GetStream();
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"GET /close?slow&{tag} HTTP/1.1\r\nHost: a\r\n\r\n"));
            var buffer = new byte[1024];
            await stream.ReadAtLeastAsync(buffer, 1);
            client.Client.LingerState = new System.Net.Sockets.LingerOption(true, 0);
        }
        // The app yields 200 chunks 20 ms apart (4 s); it must notice the client is gone,
        // stop, and call close() once.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        int count = 0;
        while (DateTime.UtcNow < deadline && (count = await CloseCountAsync(tag)) == 0)
        {
            await Task.Delay(100);
        }
        Assert.Equal(1, count);
        await Task.Delay(500);
        Assert.Equal(1, await CloseCountAsync(tag));
    }
}
