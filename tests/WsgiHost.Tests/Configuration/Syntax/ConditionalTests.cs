using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Tests.Configuration.Syntax;

public sealed class ConditionalTests : IDisposable
{
    private readonly TempConfigFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void IfDefineKeepsOrDropsItsContentAndLeavesNoNode()
    {
        var result = _folder.Read("""
            Define PRODUCTION
            <IfDefine PRODUCTION>
                LogLevel warn
            </IfDefine>
            <IfDefine !PRODUCTION>
                LogLevel debug
            </IfDefine>
            <IfDefine STAGING>
                LogLevel info
            </IfDefine>
            <IfDefine !STAGING>
                ServerName prod
            </IfDefine>
            """);

        Tree.NoDiagnostics(result);
        Assert.Equal("LogLevel|warn\nServerName|prod", Tree.Show(result.Nodes));
        Assert.Equal([3, 12], result.Nodes.Select(n => n.Location.Line));
    }

    [Fact]
    public void IfDefineSeesOptionDefines()
    {
        var options = new ConfigReaderOptions { Defines = new Dictionary<string, string> { ["SSL"] = "" } };

        var result = _folder.Read("<IfDefine SSL>\nListen 443\n</IfDefine>", options);

        Assert.Equal("Listen|443", Tree.Show(result.Nodes));
    }

    [Theory]
    [InlineData("mod_wsgi.c")]
    [InlineData("wsgi_module")]
    [InlineData("mod_wsgi")]
    [InlineData("mod_ssl.c")]
    [InlineData("alias_module")]
    [InlineData("mod_version.c")]
    [InlineData("mod_rewrite.c")]
    [InlineData("rewrite_module")]
    [InlineData("mod_reqtimeout.c")]
    [InlineData("mpm_event_module")]
    public void IfModuleKeepsContentForDefaultLoadedModulesInEverySpelling(string module)
    {
        var result = _folder.Read($"""
            <IfModule {module}>
                Listen 80
            </IfModule>
            <IfModule !{module}>
                Listen 81
            </IfModule>
            """);

        Tree.NoDiagnostics(result);
        Assert.Equal("Listen|80", Tree.Show(result.Nodes));
    }

    [Theory]
    [InlineData("mod_cgi.c")]
    [InlineData("mpm_prefork_module")]
    [InlineData("php_module")]
    [InlineData("mod_php7")]
    public void IfModuleDropsContentForOtherModules(string module)
    {
        var result = _folder.Read($"""
            <IfModule {module}>
                RewriteEngine on
            </IfModule>
            <IfModule !{module}>
                Listen 81
            </IfModule>
            """);

        Tree.NoDiagnostics(result);
        Assert.Equal("Listen|81", Tree.Show(result.Nodes));
    }

    /// <summary>
    /// mod_wsgi's own guide chooses Apache 2.2's or 2.4's access rules by &lt;IfVersion&gt;: the
    /// configuration is read as Apache 2.4 reads it.
    /// </summary>
    [Theory]
    [InlineData(">= 2.4", true)]
    [InlineData("< 2.4", false)]
    [InlineData("2.4", true)]
    [InlineData("= 2.2", false)]
    [InlineData("!= 2.2", true)]
    [InlineData("> 2.4", false)]
    [InlineData("> 2.3.99", true)]
    [InlineData("<= 2.4.0", false)]
    [InlineData("~ ^2\\.4", true)]
    [InlineData("/^2\\.2/", false)]
    [InlineData("!~ ^2\\.2", true)]
    public void IfVersionAnswersAsApache24(string test, bool kept)
    {
        var result = _folder.Read($"""
            <IfVersion {test}>
                Listen 80
            </IfVersion>
            """);

        Tree.NoDiagnostics(result);
        Assert.Equal(kept ? "Listen|80" : "", Tree.Show(result.Nodes));
    }

    [Theory]
    [InlineData(">= two", "'two' is not a version")]
    [InlineData("=> 2.4", "unknown operator '=>'")]
    [InlineData("", "takes [[!]operator] version")]
    [InlineData("~ ^(\\d*)*(\\d*)*(\\d*)*(\\d*)*(\\d*)*(\\d*)*(\\d*)*(\\d*)*(\\d*)*(\\d*)*(\\d*)*(\\d*)*(\\d*)*(\\d*)*(\\d*)*(\\d*)*(\\d*)*(\\d*)*(\\d*)*$x", "takes more than a second to test against a version number")]
    public void AMalformedIfVersionIsAnErrorAndItsContentIsSkipped(string test, string message)
    {
        var result = _folder.Read($"<IfVersion {test}>\nListen 80\n</IfVersion>");

        Assert.Contains(result.Diagnostics, d => d.Severity == DiagnosticSeverity.Error && d.Message.Contains(message, StringComparison.Ordinal));
        Assert.Equal("", Tree.Show(result.Nodes));
    }

    [Fact]
    public void TheLoadedModulesComeFromTheOptions()
    {
        var options = new ConfigReaderOptions { LoadedModules = new HashSet<string> { "mod_rewrite.c" } };

        var result = _folder.Read("""
            <IfModule rewrite_module>
                RewriteEngine on
            </IfModule>
            <IfModule mod_wsgi.c>
                WSGIDaemonProcess x
            </IfModule>
            """, options);

        Assert.Equal("RewriteEngine|on", Tree.Show(result.Nodes));
    }

    [Fact]
    public void KeptContentBecomesChildrenOfTheEnclosingSection()
    {
        var result = _folder.Read("""
            <VirtualHost *:80>
                ServerName a
                <IfModule mod_wsgi.c>
                    <IfDefine !NOPE>
                        WSGIScriptAlias / /srv/app.wsgi
                    </IfDefine>
                </IfModule>
                ErrorLog x
            </VirtualHost>
            """);

        Tree.NoDiagnostics(result);
        Assert.Equal("<VirtualHost>|*:80\n  ServerName|a\n  WSGIScriptAlias|/|/srv/app.wsgi\n  ErrorLog|x", Tree.Show(result.Nodes));
    }

    [Fact]
    public void DroppedContentIsNotExecutedButItsTagsMustBalance()
    {
        var result = _folder.Read("""
            <IfModule mod_php7.c>
                Define ROOT /wrong
                Include /does/not/exist.conf
                SetEnv X ${UNDEFINED_BUT_SKIPPED} "unterminated
                <Directory /x>
                    <IfModule mod_wsgi.c>
                        Listen 1
                    </IfModule>
                </Directory>
            </IfModule>
            <IfDefine ROOT>
                Listen 2
            </IfDefine>
            """);

        Tree.NoDiagnostics(result);
        Assert.Empty(result.Nodes);
    }

    [Fact]
    public void AMismatchInsideDroppedContentIsStillAnError()
    {
        var result = _folder.Read("""
            <IfModule mod_php7.c>
                <Directory /x>
                </Files>
            </IfModule>
            """);

        Assert.Equal(
        [
            $"</Files> at {_folder.Site}:3 does not match <Directory> at {_folder.Site}:2",
            $"</IfModule> at {_folder.Site}:4 does not match <Directory> at {_folder.Site}:2",
        ], result.Diagnostics.Select(d => d.Message));
        Assert.Empty(result.Nodes);
    }

    [Fact]
    public void AConditionWithoutOneArgumentIsAnErrorAndItsContentIsSkipped()
    {
        var result = _folder.Read("""
            <IfModule>
                Listen 1
            </IfModule>
            <IfDefine !>
                Listen 2
            </IfDefine>
            <IfModule a b>
                Listen 3
            </IfModule>
            """);

        Assert.Empty(result.Nodes);
        Assert.Equal(
        [
            "<IfModule> takes exactly one argument: a module such as mod_wsgi.c, or ! and a module",
            "<IfDefine> takes exactly one argument: NAME or !NAME",
            "<IfModule> takes exactly one argument: a module such as mod_wsgi.c, or ! and a module",
        ], result.Diagnostics.Select(d => d.Message));
    }
}
