using System.Net.Sockets;
using System.Text;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>%b counts the body the client was sent, whatever the client does once it has it.</summary>
public sealed class AccessLogBytesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wsgihost-logbytes-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>
    /// A client that closes the connection once it has Content-Length's bytes, while the app's
    /// close() still runs (Django's request_finished closes database connections): in daemon
    /// mode the response's end comes from the worker after close(), and the log said "-".
    /// </summary>
    [Theory]
    [InlineData("WSGIDaemonProcess logbytes threads=2\nWSGIProcessGroup logbytes")]
    [InlineData("")]
    public async Task ABodySentInFullIsLoggedInFullWhenTheClientLeavesBeforeTheAppsCloseEnds(string mode)
    {
        int port = WsgiHostProcess.FreePort();
        string conf = Path.Combine(_dir, "site.conf");
        File.WriteAllText(conf, $"""
            Listen 127.0.0.1:{port}
            WSGIApplicationGroup %{"{"}GLOBAL{"}"}
            {mode}
            WSGIScriptAlias / {WsgiHostProcess.App("gateway.wsgi")}
            CustomLog /dev/stdout "logged %>s b=%b B=%B %U%q"
            """);
        await using var host = await WsgiHostProcess.RunAsync(conf, port, new Dictionary<string, string>());

        for (int i = 0; i < 3; i++)
        {
            using (var socket = new Socket(SocketType.Stream, ProtocolType.Tcp))
            {
                await socket.ConnectAsync(System.Net.IPAddress.Loopback, port);
                await socket.SendAsync(Encoding.ASCII.GetBytes($"GET /close?slow-close&bytes{i} HTTP/1.1\r\nHost: localhost\r\n\r\n"));
                string received = await ReadResponseAsync(socket);
                Assert.StartsWith("HTTP/1.1 200", received, StringComparison.Ordinal);
                Assert.EndsWith(new string('x', 586), received, StringComparison.Ordinal);
            }
            await host.WaitForOutputAsync($"logged 200 b=586 B=586 /close?slow-close&bytes{i}");
        }
        Assert.Equal(0, await host.StopAsync());
    }

    /// <summary>The head and exactly Content-Length's bytes of body, read as a client that stops there does.</summary>
    private static async Task<string> ReadResponseAsync(Socket socket)
    {
        var received = new List<byte>();
        var buffer = new byte[4096];
        while (true)
        {
            string text = Encoding.Latin1.GetString([.. received]);
            int end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0 && received.Count - (end + 4) >= 586)
            {
                return text;
            }
            int n = await socket.ReceiveAsync(buffer);
            Assert.True(n > 0, $"the server closed the connection after: {text}");
            received.AddRange(buffer.AsSpan(0, n));
        }
    }
}
