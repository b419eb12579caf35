using WsgiHost.StaticFiles;
using WsgiHost.Tests.Configuration.Directives;

namespace WsgiHost.Tests.StaticFiles;

/// <summary>mod_mime's lines read from a config (AddType, ForceType, AddCharset, AddLanguage, the Remove* lines, DefaultLanguage), and the type and language a file gets in their scope.</summary>
public sealed class MimeOverrideTests
{
    private static readonly MimeTypes Types = MimeTypes.Parse(new StringReader("text/css css\napplication/json json\ntext/html html htm\napplication/ecmascript es\n"));

    [Fact]
    public void AddTypeWinsForItsExtensionsAndTheRightmostTypedExtensionWins()
    {
        var settings = SiteText.Clean("Listen 80\nAddType application/wasm .wasm WASM\nAddType text/x-site json").MainServer.Defaults;

        Assert.Equal("application/wasm", Types.TypeOf("/srv/app.wasm", settings));
        Assert.Equal("text/x-site", Types.TypeOf("/srv/data.json", settings));
        Assert.Equal("text/css", Types.TypeOf("/srv/site.wasm.css", settings));
        Assert.Equal("application/wasm", Types.TypeOf("/srv/site.css.WASM", settings));
        Assert.Null(Types.TypeOf("/srv/README", settings));
    }

    [Fact]
    public void ForceTypeInASectionAndNoneUndoesIt()
    {
        var config = SiteText.Clean("Listen 80\n<Location /raw>\nForceType text/plain\n</Location>\n<Location /raw/html>\nForceType None\n</Location>");
        var raw = config.MainServer.Defaults.Merge(config.MainServer.Sections[0].Payload.Settings);
        var html = raw.Merge(config.MainServer.Sections[1].Payload.Settings);

        Assert.Equal("text/plain", Types.TypeOf("/srv/page.html", raw));
        Assert.Equal("text/html", Types.TypeOf("/srv/page.html", html));
    }

    [Theory]
    [InlineData("AddType wasm .wasm", 2, "AddType")]
    [InlineData("<Location />\nForceType plain\n</Location>", 3, "ForceType")]
    public void BadTypesAreErrorsWithTheirLine(string lines, int line, string directive)
    {
        SiteText.Error("Listen 80\n" + lines).At(line, directive);
    }

    [Fact]
    public void AddEncodingGivesTheContentEncodingOfEachOfAFilesExtensionsAndRemoveEncodingUndoesIt()
    {
        var settings = SiteText.Clean("Listen 80\nAddType image/svg+xml .svg .svgz\nAddEncoding gzip svgz\nAddEncoding x-compress .Z").MainServer.Defaults;
        var removed = SiteText.Clean("Listen 80\nAddEncoding gzip svgz\n<Location /raw>\nRemoveEncoding .svgz\n</Location>").MainServer;

        Assert.Equal(("image/svg+xml", null, "gzip"), Types.MediaOf("/srv/logo.svgz", settings));
        Assert.Equal(("image/svg+xml", null, null), Types.MediaOf("/srv/logo.svg", settings));
        Assert.Equal(("image/svg+xml", null, "gzip, x-compress"), Types.MediaOf("/srv/a.svgz.Z", settings));
        Assert.Null(Types.MediaOf("/srv/logo.svgz", removed.Defaults.Merge(Assert.Single(removed.Sections).Payload.Settings)).Encoding);
    }

    [Fact]
    public void AddCharsetAndAddLanguageGoByExtensionAndEveryLanguageIsKept()
    {
        var settings = SiteText.Clean("Listen 80\nAddCharset UTF-8 .utf8\nAddCharset EUC-JP euc\nAddLanguage en .en\nAddLanguage fr .FR").MainServer.Defaults;

        Assert.Equal(("text/html", "en", null), Types.MediaOf("/srv/page.html.en", settings));
        Assert.Equal(("text/html; charset=UTF-8", null, null), Types.MediaOf("/srv/page.utf8.html", settings));
        // The rightmost charset wins; every language is listed, in order.
        Assert.Equal(("text/html; charset=EUC-JP", "fr,en", null), Types.MediaOf("/srv/page.fr.utf8.html.euc.en", settings));
        // No type, no charset: the charset is a parameter of the type.
        Assert.Equal((null, "en", null), Types.MediaOf("/srv/data.bin.utf8.en", settings));
    }

    [Fact]
    public void RemoveTypeTakesTheTypeOfMimeTypesAwayToo()
    {
        // Debian's mime.conf: ".es is ecmascript in /etc/mime.types".
        var removed = SiteText.Clean("Listen 80\nRemoveType  es\nAddLanguage es .es").MainServer.Defaults;
        var kept = SiteText.Clean("Listen 80\nAddLanguage es .es").MainServer.Defaults;

        Assert.Equal(("text/html", "es", null), Types.MediaOf("/srv/index.html.es", removed));
        Assert.Equal(("application/ecmascript", "es", null), Types.MediaOf("/srv/index.html.es", kept));
        Assert.Equal("application/ecmascript", Types.Lookup("/srv/index.html.es"));
    }

    [Fact]
    public void ASectionRemovesWhatItInheritsAndDefaultLanguageFillsIn()
    {
        var config = SiteText.Clean("Listen 80\nAddType text/x-site .site\nAddCharset UTF-8 .utf8\nAddLanguage en .en\n"
            + "<Location /plain>\nRemoveType .site\nRemoveCharset .utf8\nRemoveLanguage .en\nDefaultLanguage de\n</Location>\n"
            + "<Location /forced>\nForceType text/plain\n</Location>");
        var server = config.MainServer.Defaults;
        var plain = server.Merge(config.MainServer.Sections[0].Payload.Settings);
        var forced = server.Merge(config.MainServer.Sections[1].Payload.Settings);

        Assert.Equal(("text/x-site", null, null), Types.MediaOf("/srv/a.site", server));
        Assert.Equal(("text/html; charset=UTF-8", "en", null), Types.MediaOf("/srv/page.html.utf8.en", server));
        Assert.Equal((null, "de", null), Types.MediaOf("/srv/a.site", plain));
        Assert.Equal(("text/html", "de", null), Types.MediaOf("/srv/page.html.utf8.en", plain));
        // ForceType is core's, applied after mod_mime: its type as written, no charset.
        Assert.Equal(("text/plain", "en", null), Types.MediaOf("/srv/page.html.utf8.en", forced));
    }

    [Theory]
    [InlineData("text/html", "text/html; charset=UTF-8")]
    [InlineData("text/html;level=1", "text/html;level=1; charset=UTF-8")]
    [InlineData("text/html; charset=iso-8859-1", "text/html; charset=UTF-8")]
    [InlineData("text/html; Charset=\"x\"; level=1", "text/html; charset=UTF-8; level=1")]
    public void TheCharsetParameterIsReplacedOrAdded(string type, string expected)
    {
        Assert.Equal(expected, MimeTypes.WithCharset(type, "UTF-8"));
    }

    [Theory]
    [InlineData("AddCharset UTF<8> .x", 2, "AddCharset")]
    [InlineData("AddLanguage e/n .en", 2, "AddLanguage")]
    [InlineData("DefaultLanguage en,fr", 2, "DefaultLanguage")]
    [InlineData("AddDefaultCharset utf-8;x", 2, "AddDefaultCharset")]
    public void ACharsetOrLanguageThatIsNoTokenIsAnError(string lines, int line, string directive)
    {
        SiteText.Error("Listen 80\n" + lines).At(line, directive);
    }
}
