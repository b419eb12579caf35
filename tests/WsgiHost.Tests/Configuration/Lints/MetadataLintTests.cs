using WsgiHost.Configuration.Syntax;
using WsgiHost.Tests.Configuration.Directives;

namespace WsgiHost.Tests.Configuration.Lints;

/// <summary>`wsgihost check`'s lints of Header, SetEnvIf and Redirect lines: each fires on the config that shows its problem and is silent once fixed.</summary>
public sealed class MetadataLintTests
{
    private static ConfigDiagnostic Single(string text) => SiteLintTests.Single(text);

    private static void Silent(string text) => SiteLintTests.Silent(text);

    [Fact]
    public void HstsWithoutAlwaysMissesTheServersOwnPages()
    {
        var warning = Single("Listen 80\n<Location />\nHeader set Strict-Transport-Security \"max-age=63072000\"\n</Location>");

        warning.At(3, "Header");
        Assert.Equal("Header always set Strict-Transport-Security \"max-age=63072000\"", warning.Fix);
        Silent("Listen 80\nHeader always set Strict-Transport-Security \"max-age=63072000\"");
        Silent("Listen 80\nHeader set X-Frame-Options SAMEORIGIN");
    }

    [Fact]
    public void XSendFileWithoutAnyPathCanSendOnlyTheScriptsOwnFolder()
    {
        var warning = Single("Listen 80\n<Location /downloads>\nXSendFile On\n</Location>");

        warning.At(3, "XSendFile");
        Assert.Contains("XSendFilePath", warning.Fix, StringComparison.Ordinal);
        Silent("Listen 80\nXSendFilePath /srv/private\n<Location /downloads>\nXSendFile On\n</Location>");
        Silent("Listen 80\nXSendFile Off");
    }

    [Fact]
    public void HttpsFromAForwardedHeaderOnAServerOthersCanReach()
    {
        var warning = Single("Listen 8080\nSetEnvIf X-Forwarded-Proto ^https$ HTTPS=on");

        warning.At(2, "SetEnvIf");
        Assert.Contains("WSGITrustedProxyHeaders X-Forwarded-Proto", warning.Fix, StringComparison.Ordinal);
        Silent("Listen 127.0.0.1:8080\nSetEnvIf X-Forwarded-Proto ^https$ HTTPS=on");
        Silent("Listen 8080\nSetEnvIf Request_URI ^/secure HTTPS=on");
    }

    [Fact]
    public void ARedirectAnsweringEveryUrlOfAnApplication()
    {
        var warning = Single("Listen 80\nWSGIScriptAlias / /srv/site.wsgi\nRedirect permanent / https://example.com/");

        warning.At(3, "Redirect");
        Assert.Contains("answers every URL of the WSGIScriptAlias '/' (site.conf:2) with a 301", warning.Message, StringComparison.Ordinal);
        // The usual site: the plain-HTTP virtual host redirects, the TLS one serves.
        Silent("Listen 80\nListen 8443\n<VirtualHost *:80>\nServerName a.test\nRedirect permanent / https://a.test/\n</VirtualHost>\n<VirtualHost *:8443>\nServerName a.test\nWSGIScriptAlias / /srv/site.wsgi\n</VirtualHost>");
        Silent("Listen 80\nWSGIScriptAlias / /srv/site.wsgi\nRedirect /old-blog https://blog.example.com/");
    }

    [Fact]
    public void AnErrorDocumentThatMapsToNoFile()
    {
        var app = Single("Listen 80\nWSGIScriptAlias / /srv/site.wsgi\nErrorDocument 404 /not-found");
        Assert.Contains("maps to a WSGI application", app.Message, StringComparison.Ordinal);
        app.At(3, "ErrorDocument");

        var missing = Single("Listen 80\nAlias /errors/ /nonexistent/errors/\nErrorDocument 500 /errors/500.html");
        Assert.Contains("maps to /nonexistent/errors/500.html, which does not exist", missing.Message, StringComparison.Ordinal);

        Silent("Listen 80\nErrorDocument 500 \"Sorry\"\nErrorDocument 503 https://status.example.com/");
    }
}
