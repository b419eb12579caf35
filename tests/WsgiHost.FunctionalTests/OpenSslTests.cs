using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>
/// A site without TLS never loads OpenSSL: libssl and libcrypto are 3.6 MB of resident pages in
/// every process that loads them (the front, each server process, each daemon worker), and only
/// TLS needs them. Naming a script's module (md5), the daemon socket secret and the multipart
/// boundary of a static file are made without them.
/// </summary>
public sealed class OpenSslTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wsgihost-openssl-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task NeitherTheFrontNorADaemonWorkerLoadsOpenSslWithoutTls()
    {
        File.WriteAllText(Path.Combine(_dir, "page.txt"), "0123456789");
        await using var host = await WsgiHostProcess.StartDaemonAsync(WsgiHostProcess.App("pid.wsgi"), "--url-alias", "/static", _dir);
        int worker = int.Parse(await host.Client.GetStringAsync("/"), CultureInfo.InvariantCulture);
        using var ranges = new HttpRequestMessage(HttpMethod.Get, "/static/page.txt");
        ranges.Headers.Range = new RangeHeaderValue();
        ranges.Headers.Range.Ranges.Add(new RangeItemHeaderValue(0, 1));
        ranges.Headers.Range.Ranges.Add(new RangeItemHeaderValue(5, 6));
        using var response = await host.Client.SendAsync(ranges);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal("multipart/byteranges", response.Content.Headers.ContentType?.MediaType);
        Assert.NotEqual(host.Pid, worker);
        Assert.Empty(OpenSslMappings(host.Pid));
        Assert.Empty(OpenSslMappings(worker));
    }

    private static string[] OpenSslMappings(int pid) =>
        [.. File.ReadLines($"/proc/{pid}/maps").Where(l => l.Contains("libssl", StringComparison.Ordinal) || l.Contains("libcrypto", StringComparison.Ordinal)).Distinct()];
}
