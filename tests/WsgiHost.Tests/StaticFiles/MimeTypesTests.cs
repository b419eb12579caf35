using WsgiHost.StaticFiles;

namespace WsgiHost.Tests.StaticFiles;

public sealed class MimeTypesTests
{
    private static MimeTypes Parse(string text) => MimeTypes.Parse(new StringReader(text));

    [Fact]
    public void ReadsTypesAndTheirExtensionsSkippingCommentsAndBareTypes()
    {
        var types = Parse("""
            # comment line with text/fake fake
            application/1d-interleaved-parityfec
            text/css					css
            text/javascript					es js mjs

            image/jpeg jpeg jpg jpe
            """);
        Assert.Equal("text/css", types.Lookup("style.css"));
        Assert.Equal("text/javascript", types.Lookup("app.mjs"));
        Assert.Equal("image/jpeg", types.Lookup("photo.jpe"));
        Assert.Null(types.Lookup("x.fake"));
        Assert.Equal(7, types.Count);
    }

    [Fact]
    public void LookupIsCaseInsensitiveAndIgnoresDirectories()
    {
        var types = Parse("text/html html\n");
        Assert.Equal("text/html", types.Lookup("INDEX.HTML"));
        Assert.Equal("text/html", types.Lookup("/var/www/a.b/page.Html"));
        Assert.Null(types.Lookup("/var/www/a.html/README"));
    }

    [Fact]
    public void NoExtensionOrAnUnknownOneHasNoType()
    {
        var types = Parse("text/plain txt\n");
        Assert.Null(types.Lookup("README"));
        Assert.Null(types.Lookup("file.unknownext"));
        Assert.Null(types.Lookup("trailingdot."));
    }

    [Fact]
    public void TheRightmostExtensionWithATypeWinsAsInModMime()
    {
        var types = Parse("text/css css\ntext/html html\napplication/gzip gz\n");
        Assert.Equal("text/css", types.Lookup("style.css.bak"));
        Assert.Equal("text/html", types.Lookup("page.css.html"));
        Assert.Equal("application/gzip", types.Lookup("archive.tar.gz"));
    }

    [Fact]
    public void ALaterLineWinsForAnExtensionListedTwice()
    {
        var types = Parse("application/x-javascript js\ntext/javascript js\n");
        Assert.Equal("text/javascript", types.Lookup("a.js"));
    }

    [Fact]
    public void AMissingFileGivesAnEmptyTable()
    {
        var types = MimeTypes.Load("/nonexistent/mime.types");
        Assert.Equal(0, types.Count);
        Assert.Null(types.Lookup("a.css"));
    }

    [Fact]
    public void TheSystemTableMapsCommonWebTypes()
    {
        Assert.True(File.Exists("/etc/mime.types"), "this machine should have media-types installed");
        var types = MimeTypes.Load();
        Assert.Equal("text/css", types.Lookup("site.css"));
        Assert.Equal("text/html", types.Lookup("index.html"));
        Assert.Equal("image/png", types.Lookup("logo.png"));
        Assert.Equal(JsTypeInSystemFile(), types.Lookup("app.js"));
        Assert.Null(types.Lookup("file.unknownext"));
        Assert.Same(MimeTypes.Default, MimeTypes.Default);
        Assert.Equal("text/css", MimeTypes.Default.Lookup("x.CSS"));
    }

    /// <summary>Debian moved .js between types over the years; the file itself is the reference.</summary>
    private static string JsTypeInSystemFile() =>
        File.ReadLines("/etc/mime.types")
            .Select(l => l.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            .Last(w => w.Length > 1 && !w[0].StartsWith('#') && w.Skip(1).Contains("js"))[0];
}
