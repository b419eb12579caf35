using WsgiHost.Daemon;

namespace WsgiHost.Tests.Daemon;

public sealed class DaemonRoutingTests
{
    [Fact]
    public void EveryRoutingKeyIsReadAndTheAppsOwnKeysAreLeftAlone()
    {
        List<KeyValuePair<string, string>> environ =
        [
            new("REQUEST_METHOD", "GET"),
            new(DaemonKeys.Secret, "s3cret"),
            new(DaemonKeys.Script, "/srv/app.wsgi"),
            new("HTTP_X_SCRIPT", "/evil.wsgi"),
            new(DaemonKeys.Callable, "app"),
            new(DaemonKeys.ApplicationGroup, "site|"),
            new(DaemonKeys.ScriptReloading, "0"),
            new(DaemonKeys.Head, "1"),
            new(DaemonKeys.Client, "127.0.0.1:5000"),
            new(DaemonKeys.BodyComplete, "1"),
            new(DaemonKeys.XSendFile, "1"),
        ];
        Assert.Equal(new DaemonRouting("s3cret", "/srv/app.wsgi", "app", "site|", ScriptReloading: false, Head: true, "127.0.0.1:5000", BodyComplete: true, XSendFile: true),
            DaemonRouting.Read(environ));
    }

    [Fact]
    public void AbsentKeysReadAsEmptyReloadingOnAndABody()
    {
        Assert.Equal(new DaemonRouting("", "", "", "", ScriptReloading: true, Head: false, "", BodyComplete: false, XSendFile: false),
            DaemonRouting.Read([new("PATH_INFO", "/"), new("wsgihost.unknown", "x")]));
    }
}
