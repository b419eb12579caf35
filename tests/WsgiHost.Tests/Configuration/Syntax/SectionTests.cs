using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Tests.Configuration.Syntax;

public sealed class SectionTests : IDisposable
{
    private readonly TempConfigFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void SectionsNestAndKeepTheirArguments()
    {
        var result = _folder.Read("""
            <VirtualHost *:80>
                ServerName www.example.com
                <Directory "/srv/my app">
                    Require all granted
                </Directory>
                <Location>
                </Location>
            </VirtualHost>
            Listen 80
            """);

        Tree.NoDiagnostics(result);
        Assert.Equal("""
            <VirtualHost>|*:80
              ServerName|www.example.com
              <Directory>|/srv/my app
                Require|all|granted
              <Location>
            Listen|80
            """, Tree.Show(result.Nodes));
        var vhost = result.Nodes[0];
        Assert.True(vhost.IsSection);
        Assert.False(vhost.Children[0].IsSection);
        Assert.Equal(1, vhost.Location.Line);
        Assert.Equal(3, vhost.Children[1].Location.Line);
        Assert.Equal(4, vhost.Children[1].Children[0].Location.Line);
    }

    [Fact]
    public void ClosingTagsMatchCaseInsensitivelyAndKeepTheOpeningSpelling()
    {
        var result = _folder.Read("""
            <virtualhost *:443 *:8443 >
            </VIRTUALHOST>
            """);

        Tree.NoDiagnostics(result);
        Assert.Equal("<virtualhost>|*:443|*:8443", Tree.Show(result.Nodes));
    }

    [Fact]
    public void AGreaterThanInsideQuotedSectionArgumentsIsKept()
    {
        var result = _folder.Read("""
            <If "%{REQUEST_URI} > '/a'">
            </If>
            """);

        Tree.NoDiagnostics(result);
        Assert.Equal(["%{REQUEST_URI} > '/a'"], result.Nodes.Single().Arguments);
    }

    [Fact]
    public void ASectionNeverClosedIsAnErrorNamingItsLine()
    {
        var result = _folder.Read("""
            Listen 80

            <VirtualHost *:80>
                ServerName a
            """);

        var error = Tree.SingleError(result);
        Assert.Equal($"<VirtualHost> at {_folder.Site}:3 is never closed", error.Message);
        Assert.Equal(new SourceLocation(_folder.Site, 3), error.Location);
        Assert.Equal("<VirtualHost>", error.Directive);
        Assert.Contains("</VirtualHost>", error.Fix);
        // The content is still in the tree.
        Assert.Equal("Listen|80\n<VirtualHost>|*:80\n  ServerName|a", Tree.Show(result.Nodes));
    }

    [Fact]
    public void AMismatchedClosingTagIsAnErrorNamingBothLines()
    {
        var result = _folder.Read("""
            <VirtualHost *:80>
                ServerName a

                <Location /app>
                    Require all granted
                    <Directory /srv>
                    </Directory>
                </Directory>
                </Location>
            </VirtualHost>
            """);

        var error = Tree.SingleError(result);
        Assert.Equal($"</Directory> at {_folder.Site}:8 does not match <Location> at {_folder.Site}:4", error.Message);
        Assert.Equal(8, error.Location.Line);
        Assert.Equal("</Directory>", error.Directive);
        Assert.Equal("close <Location> with </Location> first", error.Fix);
        // The stray tag is ignored, so the rest still nests.
        Assert.Equal("""
            <VirtualHost>|*:80
              ServerName|a
              <Location>|/app
                Require|all|granted
                <Directory>|/srv
            """, Tree.Show(result.Nodes));
    }

    [Fact]
    public void AClosingTagOfAnOuterSectionClosesTheInnerOnesWithAnErrorForEach()
    {
        var result = _folder.Read("""
            <VirtualHost *:80>
                <Location /a>
                    <Files x>
            </VirtualHost>
            Listen 80
            """);

        Assert.Equal(
        [
            $"</VirtualHost> at {_folder.Site}:4 does not match <Files> at {_folder.Site}:3",
            $"<Location> at {_folder.Site}:2 is never closed",
        ], result.Diagnostics.Select(d => d.Message));
        Assert.Equal("<VirtualHost>|*:80\n  <Location>|/a\n    <Files>|x\nListen|80", Tree.Show(result.Nodes));
    }

    [Fact]
    public void AClosingTagWithoutAnOpeningOneIsAnError()
    {
        var result = _folder.Read("""
            Listen 80
            </Directory>
            """);

        var error = Tree.SingleError(result);
        Assert.Equal($"</Directory> at {_folder.Site}:2 has no matching <Directory>", error.Message);
        Assert.Equal("Listen|80", Tree.Show(result.Nodes));
    }

    [Fact]
    public void ATagWithoutClosingBracketIsAnError()
    {
        var result = _folder.Read("""
            <Directory /srv
            </Directory>
            """);

        var error = Tree.SingleError(result);
        Assert.Equal("<Directory is missing its closing '>'", error.Message);
        Assert.Equal("end the line with '>'", error.Fix);
        Assert.Equal("<Directory>|/srv", Tree.Show(result.Nodes));
    }

    [Fact]
    public void TextAfterTheClosingBracketIsIgnoredWithAWarning()
    {
        var result = _folder.Read("""
            <Directory /srv> Require all granted
            </Directory>
            """);

        Assert.False(result.HasErrors);
        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Equal("<Directory>|/srv", Tree.Show(result.Nodes));
    }
}
