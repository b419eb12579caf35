using WsgiHost.Access;
using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Tests.Access;

public sealed class SectionWalkTests
{
    /// <summary>A walk over every Directory/Files/Location section of the text, each carrying its first
    /// directive's first argument as a label; nested VirtualHost content included, as the manual's example needs.</summary>
    private static SectionWalk<string> Walk(string config)
    {
        var read = ConfigReader.ReadText(config, "site.conf");
        Assert.True(read.Diagnostics.Count == 0, string.Join("\n", read.Diagnostics));
        var diagnostics = new List<ConfigDiagnostic>();
        var sections = new List<Section<string>>();
        foreach (var node in Flatten(read.Nodes))
        {
            if (Section.TryGetKind(node.Name, out var kind))
            {
                var label = node.Children[0].Arguments[0];
                sections.Add(Assert.IsType<Section<string>>(Section.TryCreate(kind, node.Arguments, label, node.Location, diagnostics)));
            }
        }

        Assert.True(diagnostics.Count == 0, string.Join("\n", diagnostics));
        return new SectionWalk<string>(sections);
    }

    private static IEnumerable<ConfigNode> Flatten(IReadOnlyList<ConfigNode> nodes) =>
        nodes.SelectMany(n => n.Name.Equals("VirtualHost", StringComparison.OrdinalIgnoreCase) ? Flatten(n.Children) : [n]);

    private static string Order(SectionWalk<string> walk, string url, string? file) => string.Join(" ", walk.Applicable(url, file));

    [Fact]
    public void TheManualsMergingExample()
    {
        // "How the sections are merged": for /a/b/f.html the order is A > B > C > D > E.
        var walk = Walk("""
            <Location "/">
                Label E
            </Location>
            <Files "f.html">
                Label D
            </Files>
            <VirtualHost *>
            <Directory "/a/b">
                Label B
            </Directory>
            </VirtualHost>
            <DirectoryMatch "^.*b$">
                Label C
            </DirectoryMatch>
            <Directory "/a/b">
                Label A
            </Directory>
            """);
        Assert.Equal("B A C D E", Order(walk, "/f.html", "/a/b/f.html"));
    }

    [Fact]
    public void DirectoriesGoShortestFirstAndTiesKeepFileOrder()
    {
        var walk = Walk("""
            <Directory /srv/app/static>
                Label deep
            </Directory>
            <Directory />
                Label root
            </Directory>
            <Directory /srv/app>
                Label app1
            </Directory>
            <Directory /srv/*>
                Label app-wild
            </Directory>
            <Directory /srv/app/>
                Label app2
            </Directory>
            <Directory ~ "^/srv">
                Label regex
            </Directory>
            """);
        Assert.Equal("root app1 app-wild app2 deep regex", Order(walk, "/static/x.css", "/srv/app/static/x.css"));
        Assert.Equal("root app1 app-wild app2 regex", Order(walk, "/", "/srv/app/app.wsgi"));
    }

    [Fact]
    public void DirectoryCoversWholeComponentsAndWildcardsStayInOne()
    {
        var walk = Walk("""
            <Directory /srv/app>
                Label app
            </Directory>
            <Directory /home/*/public_html>
                Label homes
            </Directory>
            <Directory /data/[ab]?>
                Label data
            </Directory>
            """);
        Assert.Equal("app", Order(walk, "/", "/srv/app"));
        Assert.Equal("app", Order(walk, "/", "/srv/app/sub/x.py"));
        Assert.Equal("", Order(walk, "/", "/srv/application/x.py"));
        Assert.Equal("", Order(walk, "/", "/srv/ap"));
        Assert.Equal("homes", Order(walk, "/", "/home/alice/public_html/index.html"));
        Assert.Equal("homes", Order(walk, "/", "/home/.alice/public_html"));
        Assert.Equal("", Order(walk, "/", "/home/alice/bob/public_html/index.html"));
        Assert.Equal("data", Order(walk, "/", "/data/a1/f"));
        Assert.Equal("", Order(walk, "/", "/data/c1/f"));
        Assert.Equal("", Order(walk, "/", "/data/a/f"));
    }

    [Fact]
    public void LocationsArePrefixesAtComponentBoundaries()
    {
        var walk = Walk("""
            <Location /admin>
                Label admin
            </Location>
            <Location /private/>
                Label private
            </Location>
            <Location />
                Label root
            </Location>
            """);
        Assert.Equal("admin root", Order(walk, "/admin", null));
        Assert.Equal("admin root", Order(walk, "/admin/", null));
        Assert.Equal("admin root", Order(walk, "/admin/x", null));
        Assert.Equal("admin root", Order(walk, "//admin//x", null)); // slashes merged
        Assert.Equal("root", Order(walk, "/administrator", null));
        Assert.Equal("private root", Order(walk, "/private/", null));
        Assert.Equal("private root", Order(walk, "/private/a/b", null));
        Assert.Equal("root", Order(walk, "/private", null));
        Assert.Equal("root", Order(walk, "/Admin", null)); // case-sensitive
    }

    [Fact]
    public void LocationMatchAndWildcardLocationsKeepFileOrderWithPlainOnes()
    {
        var walk = Walk("""
            <LocationMatch "\.(gif|png)$">
                Label images
            </LocationMatch>
            <Location /static>
                Label static
            </Location>
            <Location ~ "^/static/[[:digit:]]+/">
                Label numbered
            </Location>
            <Location /static/*.css>
                Label css
            </Location>
            """);
        Assert.Equal("images static numbered", Order(walk, "/static/12/a.png", null));
        Assert.Equal("static css", Order(walk, "/static/a.css", null));
        Assert.Equal("static", Order(walk, "/static/sub/a.css", null));
        Assert.Equal("static", Order(walk, "/static/x/", null));
    }

    [Fact]
    public void FilesMatchTheBasenameAndComeAfterDirectories()
    {
        var walk = Walk("""
            <Files ~ "\.py$">
                Label py
            </Files>
            <Files "*.wsgi">
                Label wsgi
            </Files>
            <FilesMatch "^\.">
                Label dot
            </FilesMatch>
            <Files *>
                Label all
            </Files>
            <Directory /srv>
                Label srv
            </Directory>
            """);
        Assert.Equal("srv wsgi all", Order(walk, "/", "/srv/app/app.wsgi"));
        Assert.Equal("srv dot all", Order(walk, "/", "/srv/app/.env"));
        Assert.Equal("srv py all", Order(walk, "/", "/srv/app.wsgi.d/x.py"));
        Assert.Equal("", Order(walk, "/app.wsgi", null)); // no file: Directory and Files never apply
    }

    [Fact]
    public void DirectoryMatchIsTestedAgainstTheDirectory()
    {
        var walk = Walk("""
            <DirectoryMatch "/\.git(/|$)">
                Label git
            </DirectoryMatch>
            <DirectoryMatch "^/srv/app$">
                Label exact
            </DirectoryMatch>
            """);
        Assert.Equal("git", Order(walk, "/", "/srv/app/.git/config"));
        Assert.Equal("exact", Order(walk, "/", "/srv/app/app.wsgi"));
        Assert.Equal("", Order(walk, "/", "/srv/app/sub/app.wsgi"));
        Assert.Equal("exact", Order(walk, "/", "/srv/app/"));
    }

    [Theory]
    [InlineData(SectionKind.Directory, new string[0], "<Directory> takes one path, or ~ and a regular expression; got nothing")]
    [InlineData(SectionKind.Location, new[] { "/a", "/b" }, "<Location> takes one URL path, or ~ and a regular expression; got /a /b")]
    [InlineData(SectionKind.LocationMatch, new[] { "~", "^/a" }, "<LocationMatch> takes one regular expression; got ~ ^/a")]
    [InlineData(SectionKind.Files, new[] { "~" }, "<Files> takes one file name, or ~ and a regular expression; got ~")]
    [InlineData(SectionKind.Directory, new[] { "srv/app" }, "'srv/app' is not an absolute path")]
    [InlineData(SectionKind.Directory, new[] { "" }, "<Directory> has an empty pattern")]
    [InlineData(SectionKind.DirectoryMatch, new[] { "[[:letter:]]" }, "invalid regular expression '[[:letter:]]': unknown character class [:letter:]")]
    public void BadArgumentsAreReported(object kindValue, string[] args, string message)
    {
        // object, not SectionKind: the enum is internal and xunit needs a public method.
        var kind = (SectionKind)kindValue;
        var diagnostics = new List<ConfigDiagnostic>();
        var location = new SourceLocation("site.conf", 7);
        Assert.Null(Section.TryCreate(kind, args, "x", location, diagnostics));
        var error = Assert.Single(diagnostics);
        Assert.Equal(message, error.Message);
        Assert.Equal(location, error.Location);
        Assert.Equal($"<{kind}>", error.Directive);
    }

    [Fact]
    public void AnInvalidRegexIsReportedWithDotNetsReason()
    {
        var diagnostics = new List<ConfigDiagnostic>();
        Assert.Null(Section.TryCreate(SectionKind.Location, ["~", "^/(a"], "x", new SourceLocation("site.conf", 3), diagnostics));
        var error = Assert.Single(diagnostics);
        Assert.StartsWith("invalid regular expression '^/(a': ", error.Message, StringComparison.Ordinal);
        Assert.Equal("<Location>", error.Directive);
        Assert.NotNull(error.Fix);
    }

    [Fact]
    public void TildeFormsBecomeTheirMatchKind()
    {
        var diagnostics = new List<ConfigDiagnostic>();
        var location = new SourceLocation("site.conf", 1);
        Assert.Equal(SectionKind.DirectoryMatch, Section.TryCreate(SectionKind.Directory, ["~", "^/a"], 0, location, diagnostics)!.Kind);
        Assert.Equal(SectionKind.FilesMatch, Section.TryCreate(SectionKind.Files, ["~", "x"], 0, location, diagnostics)!.Kind);
        var section = Section.TryCreate(SectionKind.Location, ["~", "^/a"], 0, location, diagnostics)!;
        Assert.Equal((SectionKind.LocationMatch, "^/a"), (section.Kind, section.Pattern));
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void SectionNamesMapToKinds()
    {
        Assert.True(Section.TryGetKind("directorymatch", out var kind));
        Assert.Equal(SectionKind.DirectoryMatch, kind);
        Assert.False(Section.TryGetKind("VirtualHost", out _));
        Assert.False(Section.TryGetKind("1", out _));
    }

    [Fact]
    public void AWalkOverAccessRulesGivesTheMergedDecision()
    {
        var read = ConfigReader.ReadText("""
            <Directory />
                Require all denied
            </Directory>
            <Directory /srv/app>
                Require all granted
            </Directory>
            <Location /admin>
                Require ip 10.0.0.0/8
            </Location>
            <Files ".env">
                Require all denied
            </Files>
            """, "site.conf");
        var diagnostics = new List<ConfigDiagnostic>();
        var sections = read.Nodes
            .Select(n => Section.TryGetKind(n.Name, out var kind)
                ? Section.TryCreate(kind, n.Arguments, AccessRulesParser.Parse(n.Children, diagnostics), n.Location, diagnostics)
                : null)
            .OfType<Section<AccessRules?>>()
            .ToList();
        Assert.Empty(diagnostics);
        var walk = new SectionWalk<AccessRules?>(sections);
        bool Allowed(string url, string? file, string client) =>
            AccessRules.MergeAll(walk.Applicable(url, file)).Allows(client);

        Assert.True(Allowed("/", "/srv/app/app.wsgi", "192.0.2.1"));
        Assert.False(Allowed("/", "/etc/passwd", "192.0.2.1"));
        Assert.False(Allowed("/.env", "/srv/app/.env", "192.0.2.1"));
        Assert.False(Allowed("/admin/users", "/srv/app/app.wsgi", "192.0.2.1"));
        Assert.True(Allowed("/admin/users", "/srv/app/app.wsgi", "10.0.0.1"));
        Assert.True(Allowed("/nofile", null, "192.0.2.1")); // no section applies at all
    }
}
