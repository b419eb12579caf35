using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Tests.Configuration.Syntax;

public sealed class IncludeTests : IDisposable
{
    private readonly TempConfigFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void WithoutServerRootARelativePathStartsAtTheIncludingFilesFolder()
    {
        var child = _folder.Write("conf/extra/child.conf", "\n\nListen 81\n");
        _folder.Write("conf/main.conf", "Listen 80\nInclude extra/child.conf\nListen 82\n");

        var result = ConfigReader.ReadFile(_folder.PathOf("conf/main.conf"));

        Tree.NoDiagnostics(result);
        Assert.Equal("Listen|80\nListen|81\nListen|82", Tree.Show(result.Nodes));
        Assert.Equal(new SourceLocation(child, 3), result.Nodes[1].Location);
        Assert.Equal(new SourceLocation(_folder.PathOf("conf/main.conf"), 3), result.Nodes[2].Location);
    }

    [Fact]
    public void IncludingAFileThatNeverEndsIsAnErrorNotAHang()
    {
        // A device matched by a path or wildcard used to be read to its (absent) end.
        var result = _folder.Read("Listen 80\nInclude /dev/zero\nListen 81");

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticSeverity.Error, error.Severity);
        Assert.Equal(2, error.Location.Line);
        Assert.Equal("Include", error.Directive);
        Assert.Equal("/dev/zero is not a configuration file: it is larger than 16 MiB", error.Message);
        Assert.Equal("Listen|80\nListen|81", Tree.Show(result.Nodes));
    }

    [Fact]
    public void AnAbsolutePathIsUsedAsIs()
    {
        var other = _folder.Write("elsewhere/x.conf", "Listen 81");

        var result = _folder.Read($"Include \"{other}\"");

        Tree.NoDiagnostics(result);
        Assert.Equal("Listen|81", Tree.Show(result.Nodes));
    }

    [Fact]
    public void RelativePathsStartAtTheServerRootOfTheOptions()
    {
        _folder.Write("root/conf.d/a.conf", "Listen 81");

        var result = _folder.Read("Include conf.d/a.conf", new ConfigReaderOptions { ServerRoot = _folder.PathOf("root") });

        Tree.NoDiagnostics(result);
        Assert.Equal("Listen|81", Tree.Show(result.Nodes));
    }

    [Fact]
    public void AServerRootDirectiveAppliesToLaterIncludesAndStaysInTheTree()
    {
        _folder.Write("root/conf.d/a.conf", "Listen 81");
        _folder.Write("conf.d/a.conf", "Listen 82");

        var result = _folder.Read($"""
            Include conf.d/a.conf
            ServerRoot "{_folder.PathOf("root")}"
            Include conf.d/a.conf
            """);

        Tree.NoDiagnostics(result);
        Assert.Equal($"Listen|82\nServerRoot|{_folder.PathOf("root")}\nListen|81", Tree.Show(result.Nodes));
    }

    [Fact]
    public void AServerRootThatIsNotAFolderIsAnError()
    {
        var result = _folder.Read($"ServerRoot {_folder.PathOf("missing")}");

        Assert.StartsWith("ServerRoot must be a valid directory", Tree.SingleError(result).Message);
        Assert.Single(result.Nodes);
    }

    [Fact]
    public void AWildcardInTheLastSegmentIsExpandedInSortedOrder()
    {
        _folder.Write("conf.d/b.conf", "Listen 2");
        _folder.Write("conf.d/a.conf", "Listen 1");
        _folder.Write("conf.d/C.conf", "Listen 0");
        _folder.Write("conf.d/readme.txt", "not a directive file");
        _folder.Write("conf.d/.hidden.conf", "Listen 9");

        var result = _folder.Read("Include conf.d/*.conf");

        Tree.NoDiagnostics(result);
        Assert.Equal("Listen|0\nListen|1\nListen|2", Tree.Show(result.Nodes));
        Assert.Equal(_folder.PathOf("conf.d/a.conf"), result.Nodes[1].Location.File);
    }

    [Fact]
    public void WildcardsInFolderSegmentsMatchFoldersOnly()
    {
        _folder.Write("sites/beta/site.conf", "ServerName beta");
        _folder.Write("sites/alpha/site.conf", "ServerName alpha");
        _folder.Write("sites/alpha/other.conf", "ServerName other");
        _folder.Write("sites/gamma.conf/site.conf", "ServerName gamma");
        _folder.Write("sites/file-not-folder", "ServerName nope");

        var result = _folder.Read("Include sites/*/site.conf");

        Tree.NoDiagnostics(result);
        Assert.Equal("ServerName|alpha\nServerName|beta\nServerName|gamma", Tree.Show(result.Nodes));
    }

    [Fact]
    public void ClassesAndQuestionMarksAreWildcardsToo()
    {
        _folder.Write("c/site1.conf", "Listen 1");
        _folder.Write("c/site2.conf", "Listen 2");
        _folder.Write("c/site10.conf", "Listen 10");

        var result = _folder.Read("Include c/site[0-1].conf\nInclude c/site?.conf");

        Assert.Equal("Listen|1\nListen|1\nListen|2", Tree.Show(result.Nodes));
    }

    [Fact]
    public void AFolderIncludesEveryFileInItAndItsSubfoldersInSortedOrder()
    {
        _folder.Write("all/b.conf", "Listen 2");
        _folder.Write("all/a.conf", "Listen 1");
        _folder.Write("all/sub/c.conf", "Listen 3");
        _folder.Write("all/z.txt", "Listen 4");

        var result = _folder.Read("Include all/");

        Tree.NoDiagnostics(result);
        Assert.Equal("Listen|1\nListen|2\nListen|3\nListen|4", Tree.Show(result.Nodes));
    }

    [Fact]
    public void IncludeOfAMissingFileIsAnError()
    {
        var result = _folder.Read("Listen 80\nInclude missing.conf\nListen 81");

        var error = Tree.SingleError(result);
        Assert.Equal("Include", error.Directive);
        Assert.Equal(new SourceLocation(_folder.Site, 2), error.Location);
        Assert.Equal($"could not open configuration file {_folder.PathOf("missing.conf")}: no such file or directory", error.Message);
        Assert.Equal("use IncludeOptional if it may be absent", error.Fix);
        Assert.Equal("Listen|80\nListen|81", Tree.Show(result.Nodes));
    }

    [Fact]
    public void IncludeOfAWildcardThatMatchesNothingIsAnError()
    {
        Directory.CreateDirectory(_folder.PathOf("conf.d"));

        var result = _folder.Read("Include conf.d/*.conf");

        Assert.Equal($"no matches for the wildcard '*.conf' in '{_folder.PathOf("conf.d")}'", Tree.SingleError(result).Message);
    }

    [Fact]
    public void IncludeOfAWildcardInAMissingFolderIsAnError()
    {
        var result = _folder.Read("Include nowhere/*.conf");

        Assert.StartsWith($"could not open config directory {_folder.PathOf("nowhere")}", Tree.SingleError(result).Message);
    }

    [Fact]
    public void IncludeOptionalSilentlySkipsWhatIsMissing()
    {
        Directory.CreateDirectory(_folder.PathOf("empty"));

        var result = _folder.Read("""
            IncludeOptional missing.conf
            IncludeOptional empty/*.conf
            IncludeOptional nowhere/*/x.conf
            includeoptional empty
            Listen 80
            """);

        Tree.NoDiagnostics(result);
        Assert.Equal("Listen|80", Tree.Show(result.Nodes));
    }

    [Fact]
    public void AnIncludeCycleIsAnErrorNotAStackOverflow()
    {
        var a = _folder.Write("a.conf", "Listen 1\nInclude b.conf\n");
        var b = _folder.Write("b.conf", "Listen 2\nInclude a.conf\n");

        var result = ConfigReader.ReadFile(a);

        var error = Tree.SingleError(result);
        Assert.Equal(new SourceLocation(b, 2), error.Location);
        Assert.Equal($"include cycle: {a} -> {b} -> {a} (no further Include is read)", error.Message);
        Assert.Equal("Listen|1\nListen|2", Tree.Show(result.Nodes));
    }

    [Fact]
    public void FilesThatIncludeEachOtherByAWildcardAreReportedOnceNotInEveryOrder()
    {
        // Each order of 8 such files was read: 767,209 reports in 49 s (QA). Reading stops at the first cycle.
        for (int i = 0; i < 8; i++)
        {
            _folder.Write($"part{i}.conf", $"Listen {i + 1}\nInclude {_folder.PathOf("part*.conf")}\n");
        }

        var result = ConfigReader.ReadFile(_folder.PathOf("part0.conf"));

        var error = Tree.SingleError(result);
        Assert.StartsWith("include cycle: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ABinaryOrUtf16FileIsNotReadAsLines()
    {
        // QA: an Include of the server's own executable printed 38,609 error lines of raw bytes.
        File.WriteAllBytes(_folder.PathOf("program.conf"), [0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0, 0, 0, (byte)'\n', 0x1b, (byte)'[', (byte)'2', (byte)'J']);
        File.WriteAllBytes(_folder.PathOf("utf16.conf"), System.Text.Encoding.Unicode.GetPreamble().Concat(System.Text.Encoding.Unicode.GetBytes("Listen 80\n")).ToArray());

        foreach (string name in new[] { "program.conf", "utf16.conf" })
        {
            var error = Tree.SingleError(_folder.Read($"Include {name}"));
            Assert.Equal($"{_folder.PathOf(name)} is not a configuration file: it holds NUL bytes (a binary file, or text saved as UTF-16)", error.Message);
        }
    }

    [Fact]
    public void AFileThatIncludesItselfIsACycle()
    {
        var result = _folder.Read("Include *.conf");

        Assert.StartsWith("include cycle: ", Tree.SingleError(result).Message);
    }

    [Fact]
    public void TheSameFileMayBeIncludedTwice()
    {
        _folder.Write("common.conf", "Require all granted");

        var result = _folder.Read("""
            <Directory /a>
                Include common.conf
            </Directory>
            <Directory /b>
                Include common.conf
            </Directory>
            """);

        Tree.NoDiagnostics(result);
        Assert.Equal("<Directory>|/a\n  Require|all|granted\n<Directory>|/b\n  Require|all|granted", Tree.Show(result.Nodes));
    }

    [Fact]
    public void IncludedNodesInsideASectionBecomeItsChildren()
    {
        var wsgi = _folder.Write("wsgi.conf", """
            WSGIDaemonProcess site
            <Location /app>
                WSGIProcessGroup site
            </Location>
            """);

        var result = _folder.Read("""
            <VirtualHost *:80>
                ServerName a
                Include wsgi.conf
            </VirtualHost>
            """);

        Tree.NoDiagnostics(result);
        Assert.Equal("""
            <VirtualHost>|*:80
              ServerName|a
              WSGIDaemonProcess|site
              <Location>|/app
                WSGIProcessGroup|site
            """, Tree.Show(result.Nodes));
        Assert.Equal(new SourceLocation(wsgi, 3), result.Nodes[0].Children[2].Children[0].Location);
    }

    [Fact]
    public void EachFileMustBalanceItsOwnSections()
    {
        var part = _folder.Write("part.conf", "<Location /x>\nRequire all denied\n");

        var result = _folder.Read("""
            <VirtualHost *:80>
                Include part.conf
                </Location>
            </VirtualHost>
            """);

        Assert.Equal(
        [
            $"<Location> at {part}:1 is never closed",
            $"</Location> at {_folder.Site}:3 does not match <VirtualHost> at {_folder.Site}:1",
        ], result.Diagnostics.Select(d => d.Message));
    }

    [Fact]
    public void IncludeTakesExactlyOnePath()
    {
        var result = _folder.Read("Include a.conf b.conf");

        Assert.Equal("Include takes exactly one file, folder or wildcard path", Tree.SingleError(result).Message);
    }

    [Fact]
    public void DefinesMadeInAnIncludedFileApplyAfterIt()
    {
        _folder.Write("vars.conf", "Define ROOT /srv");

        var result = _folder.Read("Include vars.conf\nDocumentRoot ${ROOT}");

        Tree.NoDiagnostics(result);
        Assert.Equal("DocumentRoot|/srv", Tree.Show(result.Nodes));
    }
}
