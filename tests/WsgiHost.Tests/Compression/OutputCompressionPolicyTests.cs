using Microsoft.AspNetCore.Http;
using WsgiHost.Compression;
using WsgiHost.Configuration.Model;

namespace WsgiHost.Tests.Compression;

/// <summary>What the per-directory settings say about one response: codings by type, SetEnv flags, Vary and ETag.</summary>
public sealed class OutputCompressionPolicyTests
{
    private static readonly PerDirSettings Site = new()
    {
        OutputFilterByType = [new(ContentCodings.Gzip, "text/html"), new(ContentCodings.Brotli, "text/html"), new(ContentCodings.Gzip, "application/json")],
    };

    [Theory]
    [InlineData("text/html", 3)]                      // gzip and brotli
    [InlineData("TEXT/HTML; charset=utf-8", 3)]
    [InlineData("application/json", 1)]               // gzip
    [InlineData("application/json-seq", 0)]
    [InlineData("image/png", 0)]
    [InlineData(null, 0)]
    public void TheMediaTypeWithoutParametersPicksTheCodings(string? contentType, int expected)
    {
        Assert.Equal((ContentCodings)expected, OutputCompressionPolicy.CodingsFor(Site, contentType));
    }

    [Theory]
    [InlineData("/srv/static/app.css", 1)]
    [InlineData("/srv/static/APP.CSS", 1)]
    [InlineData("/srv/static/app.css.map", 1)]     // every extension of the name counts, as mod_mime reads it
    [InlineData("/srv/static/app.min.js", 3)]       // js: gzip and brotli
    [InlineData("/srv/static/css", 0)]              // a name, not an extension
    [InlineData("/srv/css.d/readme", 0)]            // the folder's dot is not the file's
    [InlineData(null, 0)]
    public void AddOutputFilterGoesByTheFilesExtensions(string? path, int expected)
    {
        var settings = new PerDirSettings
        {
            OutputFilterByExtension = [new(ContentCodings.Gzip, "css"), new(ContentCodings.Gzip, "js"), new(ContentCodings.Brotli, "js")],
        };
        Assert.Equal((ContentCodings)expected, OutputCompressionPolicy.CodingsFor(settings, "application/octet-stream", path));
        Assert.Equal(expected != 0, OutputCompressionPolicy.InFilterChain(settings, path));
    }

    [Fact]
    public void ATypeRuleOrSetOutputFilterIsInEveryRequestsFilterChain()
    {
        Assert.True(OutputCompressionPolicy.InFilterChain(Site, "/srv/app.wsgi"));
        Assert.True(OutputCompressionPolicy.InFilterChain(new PerDirSettings { SetOutputFilter = ContentCodings.Gzip }, null));
        Assert.False(OutputCompressionPolicy.InFilterChain(PerDirSettings.Empty, "/srv/app.css"));
    }

    [Fact]
    public void SetOutputFilterCoversEveryTypeEvenNone()
    {
        var all = Site with { SetOutputFilter = ContentCodings.Gzip };
        Assert.Equal(ContentCodings.Gzip, OutputCompressionPolicy.CodingsFor(all, "image/png"));
        Assert.Equal(ContentCodings.Gzip, OutputCompressionPolicy.CodingsFor(all, null));
    }

    [Fact]
    public void AVariableIsSetUntilALaterUnsetEnv()
    {
        var settings = new PerDirSettings { SetEnv = [new("no-gzip", "1"), new("dont-vary", "1"), new("DONT-VARY", null)] };
        Assert.True(WsgiHost.Metadata.RequestVariables.IsSet(settings.SetEnv, "no-gzip"));
        Assert.False(WsgiHost.Metadata.RequestVariables.IsSet(settings.SetEnv, "dont-vary"));
        Assert.False(WsgiHost.Metadata.RequestVariables.IsSet(settings.SetEnv, "no-brotli"));
    }

    [Theory]
    [InlineData(null, "Accept-Encoding")]
    [InlineData("Cookie", "Cookie, Accept-Encoding")]
    [InlineData("Cookie, accept-encoding", "Cookie, accept-encoding")]
    [InlineData("*", "*")]
    public void VaryGetsAcceptEncodingOnceInTheSameLine(string? before, string after)
    {
        IHeaderDictionary headers = new HeaderDictionary();
        if (before != null)
        {
            headers.Vary = before;
        }
        OutputCompressionPolicy.AddVary(headers);
        Assert.Equal(after, headers.Vary.ToString());
    }

    [Theory]
    [InlineData("\"abc\"", "W/\"abc\"")]
    [InlineData("W/\"abc\"", "W/\"abc\"")]
    public void AStrongETagIsMadeWeak(string before, string after)
    {
        IHeaderDictionary headers = new HeaderDictionary();
        headers.ETag = before;
        OutputCompressionPolicy.WeakenETag(headers);
        Assert.Equal(after, headers.ETag.ToString());
    }

    [Theory]
    [InlineData("no-transform", true)]
    [InlineData("public, No-Transform, max-age=60", true)]
    [InlineData("no-cache", false)]
    public void NoTransformIsFoundAmongTheDirectives(string cacheControl, bool expected)
    {
        Assert.Equal(expected, OutputCompressionPolicy.NoTransform(cacheControl));
    }
}
