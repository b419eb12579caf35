using WsgiHost.Configuration.Model;

namespace WsgiHost.Tests.Configuration.Directives;

/// <summary>AddOutputFilterByType, SetOutputFilter and the mod_deflate/mod_brotli settings: values, scopes and errors.</summary>
public sealed class CompressionDirectiveTests
{
    [Fact]
    public void DebiansStockDeflateConfReadsAsIsAndAccumulatesItsTypes()
    {
        var config = SiteText.Clean("""
            Listen 80
            <IfModule mod_deflate.c>
                <IfModule mod_filter.c>
                    AddOutputFilterByType DEFLATE text/html text/plain
                    AddOutputFilterByType DEFLATE application/javascript
                </IfModule>
            </IfModule>
            DeflateCompressionLevel 9
            """);

        PerDirSettings settings = config.MainServer.Defaults;
        Assert.Equal(
            [new(ContentCodings.Gzip, "text/html"), new(ContentCodings.Gzip, "text/plain"), new(ContentCodings.Gzip, "application/javascript")],
            settings.OutputFilterByType);
        Assert.Equal(9, settings.DeflateCompressionLevel);
        Assert.True(settings.CompressesOutput);
    }

    [Fact]
    public void ASectionNamingAFilterReplacesItsInheritedTypesAsModFilterDoes()
    {
        // Apache 2.4 + mod_filter, checked side by side: under <Location /api> with its own
        // DEFLATE line, a text/plain response the server's line compresses elsewhere is sent as is.
        var config = SiteText.Clean("""
            Listen 80
            AddOutputFilterByType DEFLATE;BROTLI_COMPRESS Text/HTML;charset=utf-8
            AddOutputFilterByType DEFLATE text/plain
            <Location /api>
              AddOutputFilterByType DEFLATE application/json
            </Location>
            <Location /files>
              SetOutputFilter deflate
            </Location>
            """);

        Assert.Equal([new(ContentCodings.Gzip | ContentCodings.Brotli, "text/html"), new(ContentCodings.Gzip, "text/plain")],
            config.MainServer.Defaults.OutputFilterByType);
        var api = config.MainServer.Defaults.Merge(config.MainServer.Sections[0].Payload.Settings);
        // DEFLATE is the section's own now; BROTLI_COMPRESS, which it does not name, keeps text/html.
        Assert.Equal([new(ContentCodings.Brotli, "text/html"), new(ContentCodings.Gzip, "application/json")], api.OutputFilterByType);
        var files = config.MainServer.Defaults.Merge(config.MainServer.Sections[1].Payload.Settings);
        Assert.Equal(ContentCodings.Gzip, files.SetOutputFilter);
        Assert.Equal(config.MainServer.Defaults.OutputFilterByType, files.OutputFilterByType);
        Assert.False(PerDirSettings.Empty.CompressesOutput);
    }

    [Fact]
    public void ALaterAddOutputFilterForAnExtensionReplacesItsFiltersAsModMimeDoes()
    {
        var config = SiteText.Clean("""
            Listen 80
            AddOutputFilter DEFLATE js css
            AddOutputFilter BROTLI_COMPRESS css
            <Location /static>
              AddOutputFilter BROTLI_COMPRESS js
            </Location>
            """);

        Assert.Equal([new(ContentCodings.Gzip, "js"), new(ContentCodings.Brotli, "css")], config.MainServer.Defaults.OutputFilterByExtension);
        var statics = config.MainServer.Defaults.Merge(config.MainServer.Sections[0].Payload.Settings);
        Assert.Equal([new(ContentCodings.Brotli, "css"), new(ContentCodings.Brotli, "js")], statics.OutputFilterByExtension);
    }

    [Fact]
    public void AddOutputFilterTakesExtensionsWithOrWithoutTheDot()
    {
        var config = SiteText.Clean("Listen 80\nAddOutputFilter DEFLATE js .CSS\nAddOutputFilter BROTLI_COMPRESS html");

        Assert.Equal([new(ContentCodings.Gzip, "js"), new(ContentCodings.Gzip, "css"), new(ContentCodings.Brotli, "html")],
            config.MainServer.Defaults.OutputFilterByExtension);
        Assert.True(config.MainServer.Defaults.CompressesOutput);
    }

    [Fact]
    public void DeflateFilterNoteNamesEachNoteAndARatioByDefault()
    {
        var notes = SiteText.Clean("Listen 80\nDeflateFilterNote Input instream\nDeflateFilterNote output outstream\nDeflateFilterNote ratio_info")
            .MainServer.Defaults.CompressionNotes;
        Assert.Equal(new CompressionNotes("instream", "outstream", "ratio_info"), notes);

        var error = SiteText.Error("Listen 80\nDeflateFilterNote Percent ratio");
        error.At(2, "DeflateFilterNote");
        Assert.Equal("the note type must be Input, Output or Ratio, got 'Percent'", error.Message);
    }

    [Theory]
    [InlineData("AddOutputFilter DEFLATE text/css", "AddOutputFilter", "'text/css' is not a file extension")]
    [InlineData("AddOutputFilter INCLUDES shtml", "AddOutputFilter", "the output filter 'INCLUDES' is not supported (WsgiHost has DEFLATE and BROTLI_COMPRESS)")]
    [InlineData("AddOutputFilterByType INCLUDES text/html", "AddOutputFilterByType", "the output filter 'INCLUDES' is not supported (WsgiHost has DEFLATE and BROTLI_COMPRESS)")]
    [InlineData("AddOutputFilterByType DEFLATE;SUBSTITUTE text/html", "AddOutputFilterByType", "the output filter 'SUBSTITUTE' is not supported (WsgiHost has DEFLATE and BROTLI_COMPRESS)")]
    [InlineData("AddOutputFilterByType DEFLATE text/*", "AddOutputFilterByType", "'text/*' is not a media type")]
    [InlineData("AddOutputFilterByType DEFLATE html", "AddOutputFilterByType", "'html' is not a media type")]
    [InlineData("SetOutputFilter ; ", "SetOutputFilter", "names no output filter")]
    public void AFilterOrTypeItCannotApplyIsAnErrorAtItsLineWithAFix(string line, string directive, string message)
    {
        var error = SiteText.Error($"Listen 80\n{line}");

        error.At(2, directive);
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("image/png")]
    [InlineData("application/zip")]
    [InlineData("font/woff2")]
    [InlineData("video/mp4")]
    public void ACompressedFormatIsAWarningWithAFixAndStillApplies(string type)
    {
        var warning = SiteText.Warning($"Listen 80\nAddOutputFilterByType DEFLATE text/html {type}");

        warning.At(2, "AddOutputFilterByType");
        Assert.Equal($"'{type}' is a compressed format already: encoding it again costs CPU on every response and saves nothing", warning.Message);
        Assert.Equal(2, SiteText.Config($"Listen 80\nAddOutputFilterByType DEFLATE text/html {type}").MainServer.Defaults.OutputFilterByType.Count);
    }

    [Theory]
    [InlineData("image/svg+xml")]
    [InlineData("application/wasm")]
    [InlineData("application/json")]
    public void TextLikeFormatsAreNotWarnedAbout(string type)
    {
        SiteText.Clean($"Listen 80\nAddOutputFilterByType DEFLATE {type}");
    }

    [Theory]
    [InlineData("DeflateCompressionLevel 0", "DeflateCompressionLevel must be a whole number from 1 to 9, got '0'")]
    [InlineData("DeflateCompressionLevel 10", "DeflateCompressionLevel must be a whole number from 1 to 9, got '10'")]
    [InlineData("BrotliCompressionQuality 12", "BrotliCompressionQuality must be a whole number from 0 to 11, got '12'")]
    public void ALevelOutOfRangeIsAnError(string line, string message)
    {
        var error = SiteText.Error($"Listen 80\n{line}");

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void TheLevelsBelongToTheServerOrVirtualHostAndTheEncodersTuningIsNoted()
    {
        var error = SiteText.Error("Listen 80\n<Location /x>\n  DeflateCompressionLevel 5\n</Location>");
        Assert.Equal("DeflateCompressionLevel", error.Directive);

        var notes = SiteText.Notes("Listen 80\nDeflateBufferSize 8096\nDeflateAlterETag AddSuffix");
        Assert.Contains(notes, n => n.Directive == "DeflateBufferSize" && n.Message == "tunes Apache itself; WsgiHost accepts it and does not use it");
        Assert.Contains(notes, n => n.Directive == "DeflateAlterETag" && n.Message.Contains("made weak"));
    }
}
