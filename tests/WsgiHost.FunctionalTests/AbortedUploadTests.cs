using System.Net.Sockets;
using System.Text;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// Clients that reset their connection in the middle of a request body (a browser tab closed
/// during an upload). Each such request ends quietly: an info line, no error with a .NET stack
/// trace (QA: Kestrel's "automatic draining of the request body failed ... Reading is already in
/// progress" at error level for about half of them), and the server serves on.
/// </summary>
public sealed class AbortedUploadTests
{
    [Theory]
    [InlineData("--embedded")]
    [InlineData("--processes")]
    public async Task AClientThatResetsMidBodyLeavesNoErrorInTheLog(string mode)
    {
        string[] args = mode == "--embedded" ? ["--embedded", "--threads", "5"] : ["--processes", "1", "--threads", "5"];
        await using var host = await WsgiHostProcess.StartServeAsync(WsgiHostProcess.App("gateway.wsgi"), new Dictionary<string, string>(), args);
        byte[] head = Encoding.ASCII.GetBytes("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 102400\r\n\r\n");
        byte[] half = new byte[50_000];
        for (int round = 0; round < 4; round++)
        {
            await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", host.Port);
                NetworkStream stream = client.GetStream();
                await stream.WriteAsync(head);
                await stream.WriteAsync(half);
                await Task.Delay(10);
                // A reset, not a close: as a browser that gives up on the upload.
                client.Client.LingerState = new LingerOption(true, 0);
                client.Client.Close();
            }));
        }
        using (var echoed = await host.Client.PostAsync("/echo", new ByteArrayContent(new byte[1000])))
        {
            Assert.Equal(200, (int)echoed.StatusCode);
        }
        await Task.Delay(500);
        Assert.DoesNotContain("Reading is already in progress", host.ErrorLog, StringComparison.Ordinal);
        Assert.DoesNotContain("[http:error]", host.ErrorLog, StringComparison.Ordinal);
        Assert.Equal(0, await host.StopAsync());
    }
}
