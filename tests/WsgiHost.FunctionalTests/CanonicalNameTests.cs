using System.Text.Json;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>UseCanonicalName On: the app sees ServerName and its port, whatever Host the client sent (QA: it was accepted and ignored).</summary>
public sealed class CanonicalNameTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wsgihost-canonical-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task ServerNameAndPortComeFromServerNameNotFromHost()
    {
        int port = WsgiHostProcess.FreePort();
        string conf = Path.Combine(_dir, "site.conf");
        File.WriteAllText(conf, $"""
            Listen 127.0.0.1:{port}
            ServerName localhost
            <VirtualHost *:{port}>
                ServerName first.test
                UseCanonicalName On
                WSGIScriptAlias / {WsgiHostProcess.App("gateway.wsgi")}
            </VirtualHost>
            <VirtualHost *:{port}>
                ServerName second.test:8080
                ServerAlias other.test
                UseCanonicalName On
                WSGIScriptAlias / {WsgiHostProcess.App("gateway.wsgi")}
            </VirtualHost>
            <VirtualHost *:{port}>
                ServerName third.test
                WSGIScriptAlias / {WsgiHostProcess.App("gateway.wsgi")}
            </VirtualHost>
            """);
        await using var host = await WsgiHostProcess.RunAsync(conf, port, new Dictionary<string, string>());

        Assert.Equal(("first.test", "80"), await ServerAsync(host, "evil.test:8443"));
        Assert.Equal(("second.test", "8080"), await ServerAsync(host, "other.test:9999"));
        // Off (the default): the client's Host.
        Assert.Equal(("third.test", "9999"), await ServerAsync(host, "third.test:9999"));
        Assert.Equal(0, await host.StopAsync());
    }

    private static async Task<(string Name, string Port)> ServerAsync(WsgiHostProcess host, string hostHeader)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/environ");
        request.Headers.Host = hostHeader;
        using HttpResponseMessage response = await host.Client.SendAsync(request);
        var environ = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return (environ.GetProperty("SERVER_NAME").GetProperty("value").GetString()!, environ.GetProperty("SERVER_PORT").GetProperty("value").GetString()!);
    }
}
