using WsgiHost.Configuration.Model;
using WsgiHost.Metadata;
using WsgiHost.Tests.Configuration.Directives;

namespace WsgiHost.Tests.Metadata;

/// <summary>Core's AddDefaultCharset: which responses get the charset, and the directive's values and scopes.</summary>
public sealed class DefaultCharsetTests
{
    [Theory]
    [InlineData("text/html", "text/html; charset=UTF-8")]
    [InlineData("TEXT/HTML", "TEXT/HTML; charset=UTF-8")]
    [InlineData("text/plain; format=flowed", "text/plain; format=flowed; charset=UTF-8")]
    [InlineData("text/html; Charset=iso-8859-1", "text/html; Charset=iso-8859-1")]
    [InlineData("text/css", "text/css")]
    [InlineData("application/json", "application/json")]
    [InlineData("application/xhtml+xml", "application/xhtml+xml")]
    public void OnlyPlainTextAndHtmlWithoutACharsetGetOne(string type, string expected)
    {
        Assert.Equal(expected, DefaultCharset.Apply(type, "UTF-8"));
    }

    [Theory]
    [InlineData("AddDefaultCharset UTF-8", "UTF-8")]
    [InlineData("AddDefaultCharset On", "iso-8859-1")]
    [InlineData("AddDefaultCharset off", "")]
    [InlineData("", null)]
    public void TheDirectiveNamesACharsetOrTurnsApachesOnOrOff(string line, string? expected)
    {
        PerDirSettings settings = SiteText.Clean($"Listen 80\n{line}").MainServer.Defaults;

        Assert.Equal(expected, settings.DefaultCharset);
        Assert.Equal(expected is { Length: > 0 }, settings.EditsResponse);
    }

    [Fact]
    public void ASectionTurnsTheServersOff()
    {
        var config = SiteText.Clean("Listen 80\nAddDefaultCharset UTF-8\n<Location /raw>\nAddDefaultCharset Off\n</Location>");

        PerDirSettings raw = config.MainServer.Defaults.Merge(config.MainServer.Sections[0].Payload.Settings);

        Assert.Equal("", raw.DefaultCharset);
        Assert.False(raw.EditsResponse);
    }
}
