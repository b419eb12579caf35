using System.Globalization;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// A request Kestrel refuses before the handler runs (a malformed request line or header, a
/// target too long) is in the access log as in Apache's: with its status, what was parsed of
/// its request line ("-" when nothing), in the log of the address's default virtual host, since
/// the Host of a refused request is not believed. One the handler took logs once, even when
/// its body turns out malformed afterwards (rejected.conf).
/// </summary>
public sealed class RejectedRequestLogTests : IAsyncLifetime
{
    private readonly string _logs = Directory.CreateTempSubdirectory("wsgihost-rejected-").FullName;
    private WsgiHostProcess _host = null!;

    public async Task InitializeAsync()
    {
        int port = WsgiHostProcess.FreePort();
        _host = await WsgiHostProcess.RunAsync(Path.Combine(WsgiHostProcess.TestAppsDirectory, "configs", "rejected.conf"), port,
            new Dictionary<string, string> { ["PORT"] = port.ToString(CultureInfo.InvariantCulture), ["LOGS"] = _logs });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_logs, recursive: true);
    }

    [Fact]
    public async Task RefusedRequestsAreLoggedInTheDefaultHostsAccessLog()
    {
        Assert.Equal(400, RawHttp.StatusOf(await RawHttp.SendAsync(_host.Port, "GARBAGE\r\n\r\n")));
        Assert.Equal(400, RawHttp.StatusOf(await RawHttp.SendAsync(_host.Port, "GET /write HTTP/1.1\r\nHost: second.test\r\nBad Header Line\r\n\r\n")));
        Assert.Equal(414, RawHttp.StatusOf(await RawHttp.SendAsync(_host.Port, $"GET /{new string('a', 9000)} HTTP/1.1\r\nHost: second.test\r\n\r\n")));

        string[] lines = await LinesAsync("first.log", 3);
        Assert.Equal(["127.0.0.1 \"-\" 400 first.test", "127.0.0.1 \"GET /write HTTP/1.1\" 400 first.test", "127.0.0.1 \"-\" 414 first.test"], lines);
        Assert.False(File.Exists(Path.Combine(_logs, "second.log")) && File.ReadAllText(Path.Combine(_logs, "second.log")).Length > 0);
    }

    [Fact]
    public async Task ARequestTheHandlerAnsweredIsLoggedOnceThoughItsBodyIsMalformed()
    {
        // WSGIChunkedRequest is off: the handler answers 411, then Kestrel finds the chunk size bad.
        string response = await RawHttp.SendAsync(_host.Port, "POST /echo HTTP/1.1\r\nHost: second.test\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
        Assert.Equal(411, RawHttp.StatusOf(response));
        // A later request on another connection, so the log has had time for any second line.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/write");
        request.Headers.Host = "second.test";
        using var next = await _host.Client.SendAsync(request);

        string[] lines = await LinesAsync("second.log", 2);
        Assert.Equal(["127.0.0.1 \"POST /echo HTTP/1.1\" 411 second.test", "127.0.0.1 \"GET /write HTTP/1.1\" 200 second.test"], lines);
        Assert.False(File.Exists(Path.Combine(_logs, "first.log")) && File.ReadAllText(Path.Combine(_logs, "first.log")).Length > 0);
    }

    /// <summary>The log's lines once it has at least <paramref name="count"/> (the log is written behind the requests).</summary>
    private async Task<string[]> LinesAsync(string name, int count)
    {
        string path = Path.Combine(_logs, name);
        for (int i = 0; i < 100; i++)
        {
            if (File.Exists(path) && File.ReadAllLines(path) is { } lines && lines.Length >= count)
            {
                await Task.Delay(300);
                return File.ReadAllLines(path);
            }
            await Task.Delay(100);
        }
        return File.Exists(path) ? File.ReadAllLines(path) : [];
    }
}
