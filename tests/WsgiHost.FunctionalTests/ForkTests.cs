using System.Text.Json;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// An app that forks inside a request (multiprocessing's fork start method, Linux's default
/// before Python 3.14): the children are plain Python processes, not copies of the server.
/// </summary>
public sealed class ForkTests
{
    [Theory]
    [InlineData("--embedded")]
    [InlineData("--processes")]
    public async Task APoolOfForkedWorkersInARequestNeitherStopsTheServerNorOutlivesThePool(string mode)
    {
        string[] args = mode == "--processes" ? ["--processes", "1"] : [mode];
        await using var host = await WsgiHostProcess.StartAsync(WsgiHostProcess.App("multiprocessing.wsgi"), args);

        var pids = new HashSet<int>();
        for (int i = 0; i < 3; i++)
        {
            // Leaving the pool's with-block sends SIGTERM to each forked worker and waits for
            // it: the workers had the server's runtime handlers, which caught SIGTERM (the
            // request hung) and passed it on to the server (which stopped).
            var body = JsonDocument.Parse(await host.Client.GetStringAsync("/fork")).RootElement;
            Assert.Equal("fork", body.GetProperty("method").GetString());
            Assert.Equal([1, 4, 9], body.GetProperty("squares").EnumerateArray().Select(e => e.GetInt32()));
            pids.Add(body.GetProperty("pid").GetInt32());
            // A child's print() goes to stderr as a plain python3 process's does.
            foreach (JsonElement child in body.GetProperty("children").EnumerateArray())
            {
                await host.WaitForLogAsync($"child {child.GetInt32()} says hello");
            }
        }
        // One process served all three: neither the server nor its worker was stopped or replaced.
        Assert.Single(pids);
        Assert.DoesNotContain("WsgiHost stopping", host.Output + host.ErrorLog, StringComparison.Ordinal);
        Assert.Equal(0, await host.StopAsync());
    }
}
