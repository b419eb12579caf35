using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Tests.Configuration.Syntax;

public sealed class ArgumentTests : IDisposable
{
    private readonly TempConfigFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void ArgumentsAreSplitOnWhitespace()
    {
        var result = _folder.Read("WSGIDaemonProcess   site\tprocesses=2    threads=15");

        Assert.Equal(["site", "processes=2", "threads=15"], result.Nodes.Single().Arguments);
    }

    [Fact]
    public void QuotedArgumentsMayContainSpaces()
    {
        var result = _folder.Read("""
            Alias "/my files" '/srv/my files'
            LogFormat "%h %l %u %t \"%r\" %>s %b" common
            """);

        Tree.NoDiagnostics(result);
        Assert.Equal(["/my files", "/srv/my files"], result.Nodes[0].Arguments);
        Assert.Equal(["%h %l %u %t \"%r\" %>s %b", "common"], result.Nodes[1].Arguments);
    }

    [Fact]
    public void InsideQuotesABackslashEscapesTheQuoteAndABackslashOnly()
    {
        var result = _folder.Read("""
            SetEnv A 'it\'s' "back\\slash" "keep\n" 'other"quote'
            """);

        Tree.NoDiagnostics(result);
        Assert.Equal(["A", "it's", "back\\slash", "keep\\n", "other\"quote"], result.Nodes.Single().Arguments);
    }

    [Fact]
    public void OutsideQuotesQuotesAreOrdinaryAndOnlyDoubleBackslashesCollapse()
    {
        var result = _folder.Read("""
            SetEnv a"b c\\d e\f
            """);

        Assert.Equal(["a\"b", "c\\d", "e\\f"], result.Nodes.Single().Arguments);
    }

    [Fact]
    public void AnEmptyQuotedArgumentIsKept()
    {
        var result = _folder.Read("SetEnv EMPTY \"\"");

        Assert.Equal(["EMPTY", ""], result.Nodes.Single().Arguments);
    }

    [Fact]
    public void AnUnterminatedQuoteIsAnError()
    {
        var result = _folder.Read("""
            Listen 80
            Alias /static "/srv/static
            ServerName after
            """);

        var error = Tree.SingleError(result);
        Assert.Equal(new SourceLocation(_folder.Site, 2), error.Location);
        Assert.Equal("Alias", error.Directive);
        Assert.Equal("the quoted argument has no closing \"", error.Message);
        Assert.NotNull(error.Fix);
        // Reading goes on: the argument runs to the end of the line, and later lines are read.
        Assert.Equal("Listen|80\nAlias|/static|/srv/static\nServerName|after", Tree.Show(result.Nodes));
    }
}
