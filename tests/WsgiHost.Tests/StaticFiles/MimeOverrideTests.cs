using WsgiHost.StaticFiles;
using WsgiHost.Tests.Configuration.Directives;

namespace WsgiHost.Tests.StaticFiles;

/// <summary>AddType and ForceType read from a config, and the type a file gets in their scope.</summary>
public sealed class MimeOverrideTests
{
    private static readonly MimeTypes Types = MimeTypes.Parse(new StringReader("text/css css\napplication/json json\ntext/html html htm\n"));

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
}
