namespace WsgiHost.Tests.Configuration.Syntax;

public sealed class LineTests : IDisposable
{
    private readonly TempConfigFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void CommentsAndBlankLinesAreSkippedAndLinesKeepTheirNumbers()
    {
        var result = _folder.Read("""
            # A comment
               # an indented comment

            Listen 80
            	ServerName www.example.com
            """);

        Tree.NoDiagnostics(result);
        Assert.Equal("Listen|80\nServerName|www.example.com", Tree.Show(result.Nodes));
        Assert.Equal([4, 5], result.Nodes.Select(n => n.Location.Line));
        Assert.All(result.Nodes, n => Assert.Equal(_folder.Site, n.Location.File));
    }

    [Fact]
    public void AHashLaterInALineIsAnOrdinaryCharacter()
    {
        var result = _folder.Read("""
            SetEnv COLOR #ff0000 # not a comment
            """);

        Tree.NoDiagnostics(result);
        Assert.Equal("SetEnv|COLOR|#ff0000|#|not|a|comment", Tree.Show(result.Nodes));
    }

    [Fact]
    public void ATrailingBackslashJoinsTheNextLineAndKeepsTheFirstLineNumber()
    {
        var result = _folder.Read("""
            ServerName a
            WSGIDaemonProcess site \
                processes=2 \
                threads=15
            LogLevel info
            """);

        Tree.NoDiagnostics(result);
        Assert.Equal("ServerName|a\nWSGIDaemonProcess|site|processes=2|threads=15\nLogLevel|info", Tree.Show(result.Nodes));
        Assert.Equal([1, 2, 5], result.Nodes.Select(n => n.Location.Line));
    }

    [Fact]
    public void AContinuationJoinsWithoutAddingSpace()
    {
        var result = _folder.Read("Alias /static /srv/st\\\natic\n");

        Assert.Equal("Alias|/static|/srv/static", Tree.Show(result.Nodes));
    }

    [Fact]
    public void CrLfLineEndsAreAccepted()
    {
        var result = _folder.Read("# comment\r\nListen 80\r\nWSGIDaemonProcess a \\\r\n    threads=2\r\nServerName x\r\n");

        Tree.NoDiagnostics(result);
        Assert.Equal("Listen|80\nWSGIDaemonProcess|a|threads=2\nServerName|x", Tree.Show(result.Nodes));
        Assert.Equal([2, 3, 5], result.Nodes.Select(n => n.Location.Line));
    }

    [Fact]
    public void ReadTextNamesNodesWithTheGivenFileName()
    {
        var result = WsgiHost.Configuration.Syntax.ConfigReader.ReadText("\nListen 80", "inline.conf");

        Assert.Equal("inline.conf:2", result.Nodes.Single().Location.ToString());
    }
}
