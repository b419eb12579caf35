using System.Text;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// Apache's Timeout bounds each wait for the request body: a client that stops sending in the
/// middle of its body gets 408 after it, and the WSGI thread (or daemon thread) it held is free.
/// </summary>
public sealed class BodyTimeoutTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wsgihost-bodytimeout-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("embedded", 100_000)]   // past the start read before the app runs: the app's read fails
    [InlineData("embedded", 1_000)]     // within it: refused before the app runs
    [InlineData("daemon", 100_000)]
    [InlineData("daemon", 1_000)]
    public async Task AClientThatStopsSendingItsBodyGets408AfterTimeoutAndFreesItsThread(string mode, int sent)
    {
        int port = WsgiHostProcess.FreePort();
        string conf = Path.Combine(_dir, "site.conf");
        File.WriteAllLines(conf,
        [
            $"Listen 127.0.0.1:{port}",
            "Timeout 2",
            "LogLevel info",
            "ThreadsPerChild 1",
            .. mode == "daemon" ? ["WSGIDaemonProcess uploads processes=1 threads=1", "WSGIProcessGroup uploads"] : Array.Empty<string>(),
            "WSGIApplicationGroup %{GLOBAL}",
            $"WSGIScriptAlias / {WsgiHostProcess.App("gateway.wsgi")}",
        ]);
        // One WSGI thread: the stalled upload holding it would starve the request after it.
        await using var host = await WsgiHostProcess.RunAsync(conf, port, new Dictionary<string, string>());

        byte[] head = Encoding.ASCII.GetBytes($"POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: {sent * 3}\r\n\r\n");
        byte[] request = [.. head, .. new byte[sent]];
        // The client keeps its connection open without sending the rest; RawHttp waits up to 15 s.
        string response = Encoding.Latin1.GetString(await RawHttp.SendBytesAsync(port, request, timeoutMs: 15_000));
        Assert.Equal(408, RawHttp.StatusOf(response));
        await host.WaitForLogAsync("the client sent no request data for 2 s (Timeout)");
        if (sent > 64 * 1024)
        {
            // The app was reading when it stopped: its read failed, saying why in its own terms.
            await host.WaitForLogAsync(mode == "daemon" ? "OSError: request data read error: the server ended the request body" : "OSError: request data read error: the client sent no request data");
        }

        Assert.Equal("{\"length\": 3, \"sha256\": \"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"}",
            (await (await host.Client.PostAsync("/echo", new StringContent("abc"))).Content.ReadAsStringAsync()).Trim());
        Assert.Equal(0, await host.StopAsync());
    }
}
