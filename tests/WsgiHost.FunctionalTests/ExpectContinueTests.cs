using System.Net.Sockets;
using System.Text;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// Expect: 100-continue is answered when the app first reads wsgi.input, as under mod_wsgi: an
/// app that answers without reading spares the client its upload.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ExpectContinueTests(GatewayServer server)
{
    private WsgiHostProcess Host => server.Host;

    [Fact]
    public async Task The100IsSentWhenTheAppReadsTheBodyAndNeverWhenItDoesNot()
    {
        // /write never reads the body: the final answer comes, no 100 before it.
        using (var client = await ConnectAsync())
        {
            string first = await SendHeadAsync(client, "/write");
            Assert.StartsWith("HTTP/1.1 200 OK\r\n", first, StringComparison.Ordinal);
        }
        // /echo reads it: the 100 comes first, then the answer to the body sent after it.
        using (var client = await ConnectAsync())
        {
            string first = await SendHeadAsync(client, "/echo");
            Assert.StartsWith("HTTP/1.1 100 Continue\r\n", first, StringComparison.Ordinal);
            NetworkStream stream = client.GetStream();
            await stream.WriteAsync("hello"u8.ToArray());
            string rest = Encoding.Latin1.GetString(await RawHttp.ReadToEndAsync(stream));
            Assert.Contains("HTTP/1.1 200 OK\r\n", first + rest, StringComparison.Ordinal);
            Assert.Contains("\"length\": 5", first + rest, StringComparison.Ordinal);
        }
    }

    private async Task<TcpClient> ConnectAsync()
    {
        var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", Host.Port);
        return client;
    }

    /// <summary>Sends the request's head (a 5-byte body announced, not sent) and returns what the server sends first.</summary>
    private static async Task<string> SendHeadAsync(TcpClient client, string path)
    {
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n"));
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        int n = await stream.ReadAsync(buffer, timeout.Token);
        return Encoding.Latin1.GetString(buffer, 0, n);
    }
}
