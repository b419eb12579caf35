using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Tests.Configuration.Syntax;

public sealed class DefineTests : IDisposable
{
    private readonly TempConfigFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void DefinedNamesAreSubstitutedInLaterArgumentsAndSectionArguments()
    {
        var result = _folder.Read("""
            Define SITE /srv/site
            Define PORT 8080
            Define APP ${SITE}/app.wsgi
            Listen ${PORT}
            <VirtualHost *:${PORT}>
                WSGIScriptAlias / ${APP}
                Alias /static "${SITE}/static files"
            </VirtualHost>
            """);

        Tree.NoDiagnostics(result);
        Assert.Equal("""
            Listen|8080
            <VirtualHost>|*:8080
              WSGIScriptAlias|/|/srv/site/app.wsgi
              Alias|/static|/srv/site/static files
            """, Tree.Show(result.Nodes));
    }

    [Fact]
    public void AValuelessDefineIsANameForIfDefineNotAVariable()
    {
        // Apache keeps ${SUFFIX} as written (AH00111); expanding it to "" turned "Alias /static ${STATIC}/" into "/".
        var result = _folder.Read("""
            Define SUFFIX
            <IfDefine SUFFIX>
            SetEnv NAME app${SUFFIX}
            </IfDefine>
            """);

        var error = Tree.SingleError(result);
        Assert.Equal("variable ${SUFFIX} is not defined", error.Message);
        Assert.Equal(3, error.Location.Line);
    }

    [Fact]
    public void AnUndefinedVariableIsReportedOncePerLineWithAShortName()
    {
        // QA: 10,000 uses of ${A} on one line without spaces wrote 401 MB of reports, each naming the whole line.
        var result = _folder.Read(string.Concat(Enumerable.Repeat("${A}", 10_000)) + " ${B} ${A}");

        Assert.Equal(["variable ${A} is not defined", "variable ${B} is not defined"], result.Diagnostics.Select(d => d.Message));
        Assert.All(result.Diagnostics, d => Assert.True(d.Directive.Length <= 67, d.Directive));
    }

    [Fact]
    public void UnDefineRemovesTheName()
    {
        var result = _folder.Read("""
            Define ROOT /srv
            DocumentRoot ${ROOT}
            UnDefine ROOT
            Alias /x ${ROOT}/x
            """);

        var error = Tree.SingleError(result);
        Assert.Equal(4, error.Location.Line);
        Assert.Equal("variable ${ROOT} is not defined", error.Message);
    }

    [Fact]
    public void AnUndefinedVariableIsAnErrorWithTheNameAndIsLeftAsWritten()
    {
        var result = _folder.Read("""
            Listen 80
            WSGIScriptAlias / ${WSGIHOST_TEST_NOT_DEFINED_ANYWHERE}/app.wsgi
            """);

        var error = Tree.SingleError(result);
        Assert.Equal("WSGIScriptAlias", error.Directive);
        Assert.Equal(new SourceLocation(_folder.Site, 2), error.Location);
        Assert.Equal("variable ${WSGIHOST_TEST_NOT_DEFINED_ANYWHERE} is not defined", error.Message);
        Assert.Equal("add 'Define WSGIHOST_TEST_NOT_DEFINED_ANYWHERE <value>' before this line", error.Fix);
        Assert.Equal(["/", "${WSGIHOST_TEST_NOT_DEFINED_ANYWHERE}/app.wsgi"], result.Nodes[1].Arguments);
    }

    [Fact]
    public void AVariableIsUsableOnlyAfterItsDefine()
    {
        var result = _folder.Read("""
            DocumentRoot ${ROOT}
            Define ROOT /srv
            """);

        Assert.Equal("variable ${ROOT} is not defined", Tree.SingleError(result).Message);
    }

    [Fact]
    public void ARewriteMapLookupIsNamedAsOneNotAsAMissingDefine()
    {
        var result = _folder.Read("RewriteRule ^/(.*)$ /${lc:$1} [R=301,L]");

        var error = Tree.SingleError(result);
        Assert.Equal("${lc:$1} looks a key up in RewriteMap 'lc', and rewrite maps are not supported by WsgiHost", error.Message);
        Assert.DoesNotContain("Define", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void OptionDefinesArePredefined()
    {
        var options = new ConfigReaderOptions { Defines = new Dictionary<string, string> { ["ROOT"] = "/opt/site" } };

        var result = _folder.Read("DocumentRoot ${ROOT}/htdocs", options);

        Tree.NoDiagnostics(result);
        Assert.Equal("DocumentRoot|/opt/site/htdocs", Tree.Show(result.Nodes));
    }

    [Fact]
    public void SubstitutionHappensBeforeTheLineIsSplitAsInApache()
    {
        var result = _folder.Read("""
            Define OPTIONS "processes=2 threads=4"
            Define DIR "/srv/my site"
            WSGIDaemonProcess site ${OPTIONS}
            Alias /x "${DIR}"
            """);

        Tree.NoDiagnostics(result);
        Assert.Equal("WSGIDaemonProcess|site|processes=2|threads=4\nAlias|/x|/srv/my site", Tree.Show(result.Nodes));
    }

    [Fact]
    public void AnUndefinedNameFallsBackToTheEnvironmentAsInApache()
    {
        var result = ConfigReader.ReadText("ErrorLog ${APACHE_LOG_DIR}/error.log", "site.conf", null,
            name => name == "APACHE_LOG_DIR" ? "/var/log/apache2" : null);

        Tree.NoDiagnostics(result);
        Assert.Equal("ErrorLog|/var/log/apache2/error.log", Tree.Show(result.Nodes));
    }

    [Fact]
    public void DefineAndUnDefineLeaveNoNodesAndCheckTheirArguments()
    {
        var result = _folder.Read("""
            Define
            Define A:B value
            UnDefine
            Listen 80
            """);

        Assert.Equal("Listen|80", Tree.Show(result.Nodes));
        Assert.Equal(
            ["Define takes a name and an optional value", "variable name must not contain ':'", "UnDefine takes exactly one name"],
            result.Diagnostics.Select(d => d.Message));
    }
}
