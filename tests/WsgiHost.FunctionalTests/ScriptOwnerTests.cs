using System.Net;
using WsgiHost.FunctionalTests.Infrastructure;

namespace WsgiHost.FunctionalTests;

/// <summary>script-user= over HTTP: a daemon group runs only the scripts its user owns, as mod_wsgi.</summary>
public sealed class ScriptOwnerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wsgihost-script-owner-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task AScriptAnotherUserOwnsIsForbiddenAndTheLogSaysWhy()
    {
        string script = Path.Combine(_dir, "pid.wsgi");
        File.Copy(WsgiHostProcess.App("pid.wsgi"), script);
        string config = Path.Combine(_dir, "site.conf");
        int port = WsgiHostProcess.FreePort();
        // No user has uid 4343: whoever runs the tests owns the script, not it.
        File.WriteAllText(config, $"""
            Listen 127.0.0.1:{port}
            WSGIDaemonProcess owned threads=2 script-user=#4343
            WSGIDaemonProcess open threads=2
            WSGIScriptAlias /owned {script} process-group=owned
            WSGIScriptAlias /open {script} process-group=open
            """);
        await using var host = await WsgiHostProcess.RunAsync(config, port, new Dictionary<string, string>());

        using HttpResponseMessage owned = await host.Client.GetAsync("/owned");
        Assert.Equal(HttpStatusCode.Forbidden, owned.StatusCode);
        await host.WaitForLogAsync($"Owner of WSGI script file does not match required user for daemon process, user=#4343 (uid ");
        using HttpResponseMessage open = await host.Client.GetAsync("/open");
        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
    }
}
