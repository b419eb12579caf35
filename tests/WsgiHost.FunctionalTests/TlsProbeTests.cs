using System.Net.Sockets;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// A load balancer's TCP health check on a TLS port connects and closes without a byte. Apache
/// logs nothing at its default level; WsgiHost logged an "Unhandled exception" with a stack
/// trace at error level for most of them (QA: 45 error lines for 11 connects).
/// </summary>
public sealed class TlsProbeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wsgihost-tls-probe-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task BareTcpConnectsToATlsPortLeaveNoErrorInTheLog()
    {
        var (certificate, key) = TestCertificate.Write(_dir, "probe", "probe.example.test");
        var site = TlsSite.Write(_dir, "probe.example.test", certificate, key);
        await using var host = await site.RunAsync();
        for (int i = 0; i < 12; i++)
        {
            using var probe = new TcpClient();
            await probe.ConnectAsync("127.0.0.1", site.TlsPort);
            await Task.Delay(i % 3 * 20);
        }
        await Task.Delay(1000);
        Assert.DoesNotContain("Unhandled exception", host.ErrorLog, StringComparison.Ordinal);
        Assert.DoesNotContain(":error]", host.ErrorLog, StringComparison.Ordinal);
        Assert.Equal(0, await host.StopAsync());
    }
}
