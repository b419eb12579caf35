using WsgiHost.Configuration.Model;
using WsgiHost.Configuration.Syntax;
using WsgiHost.Routing;
using WsgiHost.Tests.Configuration.Directives;

namespace WsgiHost.Tests.Routing;

/// <summary>URL to static file or WSGI script, with a file system given as two sets.</summary>
public sealed class UrlMapperTests
{
    private static readonly SourceLocation At = new("site.conf", 1);

    private static AliasConfig Alias(string url, string target) => new(url, false, target, At);

    private static AliasConfig AliasMatch(string regex, string target) => new(regex, true, target, At);

    private static ScriptAliasConfig Script(string url, string target) => new(url, false, target, ScriptAliasOptions.None, At);

    private static ScriptAliasConfig ScriptMatch(string regex, string target) => new(regex, true, target, ScriptAliasOptions.None, At);

    private static UrlMapper Mapper(IEnumerable<AliasConfig> aliases, IEnumerable<ScriptAliasConfig> scripts, string[]? files = null, string[]? folders = null) =>
        new(aliases, scripts, p => files?.Contains(p) == true, p => folders?.Contains(p.TrimEnd('/')) == true);

    /// <summary>The mapper of the main server of a configuration written as text.</summary>
    private static UrlMapper FromText(string text, string[]? files = null, string[]? folders = null)
    {
        var scope = SiteText.Config(text).MainServer;
        return Mapper(scope.Aliases, scope.ScriptAliases, files, folders);
    }

    [Fact]
    public void AUrlNothingElseMapsIsAFileUnderTheDocumentRoot()
    {
        var mapper = new UrlMapper([Alias("/static/", "/srv/static/")], [Script("/app", "/srv/app.wsgi")], _ => false, _ => false,
            documentRoot: Alias("/", "/var/www/html/"));

        var file = mapper.Map("/robots.txt")!;
        Assert.True(file.IsStatic);
        Assert.Equal("/var/www/html/robots.txt", file.FilePath);
        Assert.Equal("/robots.txt", file.StaticPathInfo);
        Assert.Equal("/var/www/html/", mapper.Map("/")!.FilePath);
        // Aliases and script aliases still come first.
        Assert.Equal("/srv/static/site.css", mapper.Map("/static/site.css")!.FilePath);
        Assert.Equal("/srv/app.wsgi", mapper.Map("/app/page")!.FilePath);
        Assert.False(mapper.Map("/app/page")!.IsStatic);
    }

    [Fact]
    public void WithoutADocumentRootAUrlNothingMapsHasNoMapping() =>
        Assert.Null(Mapper([Alias("/static/", "/srv/static/")], [Script("/app", "/srv/app.wsgi")]).Map("/robots.txt"));

    [Fact]
    public void AliasIsTriedBeforeEveryScriptAliasWhateverTheOrder()
    {
        var mapper = FromText("Listen 80\nWSGIScriptAlias / /srv/app.wsgi\nAlias /static/ /srv/static/");

        var mapped = mapper.Map("/static/css/site.css")!;
        Assert.True(mapped.IsStatic);
        Assert.Equal("/srv/static/css/site.css", mapped.FilePath);
        Assert.Equal("/css/site.css", mapped.StaticPathInfo);
        Assert.False(mapper.Map("/other")!.IsStatic);
    }

    [Fact]
    public void TheFirstScriptAliasWinsSoARootListedFirstSwallowsSuburl()
    {
        var mapper = Mapper([], [Script("/", "/srv/root.wsgi"), Script("/suburl", "/srv/sub.wsgi")]);

        var mapped = mapper.Map("/suburl/page")!;
        Assert.Equal("/srv/root.wsgi", mapped.FilePath);
        Assert.Equal("", mapped.ScriptName);
        Assert.Equal("/suburl/page", mapped.PathInfo);
    }

    [Fact]
    public void ASuburlListedFirstGetsItsUrls()
    {
        var mapper = Mapper([], [Script("/suburl", "/srv/sub.wsgi"), Script("/", "/srv/root.wsgi")]);

        var sub = mapper.Map("/suburl/page")!;
        Assert.Equal("/srv/sub.wsgi", sub.FilePath);
        Assert.Equal("/suburl", sub.ScriptName);
        Assert.Equal("/page", sub.PathInfo);
        var root = mapper.Map("/suburlx")!;
        Assert.Equal("/srv/root.wsgi", root.FilePath);
        Assert.Equal("/suburlx", root.PathInfo);
    }

    [Theory]
    [InlineData("/app", "/app", "")]
    [InlineData("/app/", "/app", "/")]
    [InlineData("/app/x/y", "/app", "/x/y")]
    public void AMountGivesScriptNameAndPathInfo(string path, string scriptName, string pathInfo)
    {
        var mapped = Mapper([], [Script("/app", "/srv/app.wsgi")]).Map(path)!;

        Assert.Null(mapped.Alias);
        Assert.NotNull(mapped.Script);
        Assert.Equal("/srv/app.wsgi", mapped.FilePath);
        Assert.Equal(scriptName, mapped.ScriptName);
        Assert.Equal(pathInfo, mapped.PathInfo);
    }

    [Theory]
    [InlineData("/application")]
    [InlineData("/App")]
    [InlineData("/APP/x")]
    [InlineData("/")]
    public void PrefixesAreWholeSegmentsAndCaseSensitive(string path) =>
        Assert.Null(Mapper([], [Script("/app", "/srv/app.wsgi")]).Map(path));

    [Theory]
    [InlineData("/", "/")]
    [InlineData("/a/b", "/a/b")]
    [InlineData("/a/b/", "/a/b/")]
    public void TheRootMountGivesAnEmptyScriptNameAndTheFullPath(string path, string pathInfo)
    {
        var mapped = Mapper([], [Script("/", "/srv/app.wsgi")]).Map(path)!;

        Assert.Equal("", mapped.ScriptName);
        Assert.Equal(pathInfo, mapped.PathInfo);
        Assert.Equal("/srv/app.wsgi", mapped.FilePath);
    }

    [Fact]
    public void AnAliasWithATrailingSlashDoesNotCoverTheBareFolder()
    {
        var mapper = Mapper([Alias("/static/", "/srv/static/")], []);

        Assert.Null(mapper.Map("/static"));
        Assert.Equal("/srv/static/x", mapper.Map("/static/x")!.FilePath);
        var folder = mapper.Map("/static/")!;
        // The alias's slash stays with the folder, so the handler serves its index instead of redirecting.
        Assert.Equal("/srv/static/", folder.FilePath);
        Assert.Equal("/", folder.StaticPathInfo);
    }

    [Fact]
    public void AnAliasWithoutATrailingSlashCoversTheFolderAndBelow()
    {
        var mapper = Mapper([Alias("/static", "/srv/static")], []);

        Assert.Equal("/srv/static", mapper.Map("/static")!.FilePath);
        Assert.Equal("/srv/static/a/b.css", mapper.Map("/static/a/b.css")!.FilePath);
        Assert.Null(mapper.Map("/staticfiles/a"));
    }

    [Fact]
    public void AliasMatchSubstitutesTheGroupsIntoTheWholeFileName()
    {
        var mapper = Mapper([AliasMatch(@"^/media/([^/]+)/(.*)\.png$", "/srv/media/$2-$1.png")], [Script("/", "/srv/app.wsgi")]);

        var mapped = mapper.Map("/media/thumbs/cat.png")!;
        Assert.True(mapped.IsStatic);
        Assert.Equal("/srv/media/cat-thumbs.png", mapped.FilePath);
        Assert.False(mapper.Map("/media/thumbs/cat.jpg")!.IsStatic);
    }

    [Fact]
    public void ScriptAliasMatchGivesTheMatchedPrefixAsScriptName()
    {
        var mapper = Mapper([], [ScriptMatch("^/([^/]+)", "/srv/apps/$1.wsgi")], files: ["/srv/apps/blog.wsgi"]);

        var mapped = mapper.Map("/blog/2024/post")!;
        Assert.Equal("/srv/apps/blog.wsgi", mapped.FilePath);
        Assert.Equal("/blog", mapped.ScriptName);
        Assert.Equal("/2024/post", mapped.PathInfo);
        var bare = mapper.Map("/blog")!;
        Assert.Equal("/blog", bare.ScriptName);
        Assert.Equal("", bare.PathInfo);
    }

    [Fact]
    public void AnUnanchoredScriptAliasMatchMountsUpToTheEndOfTheMatch()
    {
        // As mod_wsgi: the mount is the URL up to rm_eo, wherever the match starts.
        var mapper = Mapper([], [ScriptMatch(@"/([a-z]+)\.wsgi", "/srv/apps/$1.wsgi")]);

        var mapped = mapper.Map("/x/blog.wsgi/more")!;
        Assert.Equal("/srv/apps/blog.wsgi", mapped.FilePath);
        Assert.Equal("/x/blog.wsgi", mapped.ScriptName);
        Assert.Equal("/more", mapped.PathInfo);
    }

    [Fact]
    public void AScriptAliasMatchThatMatchesNothingMapsNothing() =>
        Assert.Null(Mapper([], [ScriptMatch("^x*", "/srv/app.wsgi")]).Map("/a"));

    [Fact]
    public void AFolderTargetMapsTheNextSegmentToAScriptInIt()
    {
        var mapper = Mapper([], [Script("/apps", "/srv/apps")], files: ["/srv/apps/blog.wsgi", "/srv/apps/sub/shop.wsgi"], folders: ["/srv/apps", "/srv/apps/sub"]);

        var blog = mapper.Map("/apps/blog.wsgi/2024/post")!;
        Assert.Equal("/srv/apps/blog.wsgi", blog.FilePath);
        Assert.Equal("/apps/blog.wsgi", blog.ScriptName);
        Assert.Equal("/2024/post", blog.PathInfo);

        var shop = mapper.Map("/apps/sub/shop.wsgi")!;
        Assert.Equal("/srv/apps/sub/shop.wsgi", shop.FilePath);
        Assert.Equal("/apps/sub/shop.wsgi", shop.ScriptName);
        Assert.Equal("", shop.PathInfo);
    }

    [Fact]
    public void AFolderTargetWithTrailingSlashesOnBothSides()
    {
        var mapper = Mapper([], [Script("/apps/", "/srv/apps/")], files: ["/srv/apps/blog.wsgi"], folders: ["/srv/apps"]);

        var blog = mapper.Map("/apps/blog.wsgi/x")!;
        Assert.Equal("/srv/apps/blog.wsgi", blog.FilePath);
        Assert.Equal("/apps/blog.wsgi", blog.ScriptName);
        Assert.Equal("/x", blog.PathInfo);
    }

    [Fact]
    public void AFolderUrlOrAMissingScriptRunsNothing()
    {
        var mapper = Mapper([], [Script("/apps", "/srv/apps")], files: ["/srv/apps/blog.wsgi"], folders: ["/srv/apps"]);

        var folder = mapper.Map("/apps")!;
        Assert.Equal("/srv/apps", folder.FilePath);
        Assert.Equal("", folder.PathInfo);
        var missing = mapper.Map("/apps/nothere/x")!;
        Assert.Equal("/srv/apps/nothere", missing.FilePath);
        Assert.Equal("", missing.PathInfo);
    }

    [Fact]
    public void NothingMapsAnUnmountedUrl() =>
        Assert.Null(Mapper([Alias("/static/", "/srv/static/")], [Script("/app", "/srv/app.wsgi")]).Map("/other"));

    [Fact]
    public void OnlyScriptsChosenByTheUrlAreMarkedForAnExistenceCheck()
    {
        var fixedFile = Mapper([], [Script("/app", "/srv/app.wsgi")], files: ["/srv/app.wsgi"]);
        Assert.False(fixedFile.Map("/app/anything")!.ScriptFromUrl);

        var folder = Mapper([], [Script("/wsgi", "/srv/wsgi")], files: ["/srv/wsgi/a.wsgi"], folders: ["/srv/wsgi"]);
        Assert.True(folder.Map("/wsgi/a.wsgi/x")!.ScriptFromUrl);
        Assert.True(folder.Map("/wsgi/made-up-by-the-client")!.ScriptFromUrl);

        var match = Mapper([], [ScriptMatch("^/([a-z]+)", "/srv/$1.wsgi")]);
        Assert.True(match.Map("/anything/x")!.ScriptFromUrl);
    }

    [Theory]
    [InlineData("/app/x", "/x", "/app")]
    [InlineData("/app/", "/", "/app")]
    [InlineData("/app", "", "/app")]
    [InlineData("/accounts", "/accounts", "")]
    [InlineData("/accounts/login", "/accounts/login", "")]
    [InlineData("/other/x", "/fas/x", "/other")]
    [InlineData("/x", "/y", "/x")]
    [InlineData("/app//x", "/x", "/app")]
    [InlineData("/a/bc", "/c", "/a/bc")]
    public void ScriptNameIsTheUrlUpToWherePathInfoStartsAsApacheFindsIt(string url, string pathInfo, string scriptName) =>
        Assert.Equal(scriptName, UrlMapper.ScriptNameOf(url, pathInfo));
}
