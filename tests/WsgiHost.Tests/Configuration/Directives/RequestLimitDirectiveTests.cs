using WsgiHost.Configuration.Model;
using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Tests.Configuration.Directives;

/// <summary>LimitRequestFields, LimitRequestFieldSize, LimitRequestLine and RequestReadTimeout: values and errors.</summary>
public sealed class RequestLimitDirectiveTests
{
    [Fact]
    public void WithoutDirectivesTheLimitsAreApachesDefaults()
    {
        RequestLimits limits = SiteText.Clean("Listen 80").RequestLimits;

        Assert.Equal((100, 8190, 8190), (limits.MaxFields, limits.MaxFieldSize, limits.MaxRequestLine));
        Assert.Equal((null, null, null), (limits.HeaderTimeoutSeconds, limits.BodyTimeoutSeconds, limits.BodyMinRate));
        Assert.Equal(100 * 8192, limits.MaxHeaderBytes);
    }

    [Fact]
    public void TheSizeLimitsAreRead()
    {
        RequestLimits limits = SiteText.Clean("Listen 80\nLimitRequestFields 50\nLimitRequestFieldSize 16380\nLimitRequestLine 4000").RequestLimits;

        Assert.Equal((50, 16380, 4000), (limits.MaxFields, limits.MaxFieldSize, limits.MaxRequestLine));
        Assert.Equal(50 * 16382, limits.MaxHeaderBytes);
    }

    [Fact]
    public void ZeroIsUnlimitedAndTheHeaderSectionStaysBounded()
    {
        RequestLimits limits = SiteText.Clean("Listen 80\nLimitRequestFields 0\nLimitRequestFieldSize 0\nLimitRequestLine 0").RequestLimits;

        Assert.Equal((0, 0, 0), (limits.MaxFields, limits.MaxFieldSize, limits.MaxRequestLine));
        Assert.Equal(1024 * 1024, limits.MaxHeaderBytes);
    }

    [Theory]
    [InlineData("", RequestLimits.MinReadAheadBytes)]
    [InlineData("LimitRequestFields 1000", RequestLimits.MinReadAheadBytes)]
    [InlineData("LimitRequestFieldSize 65536", RequestLimits.MinReadAheadBytes)]
    [InlineData("LimitRequestLine 0", 2 * 1024 * 1024)]
    public void TheReadAheadHoldsTheLongestLineTwiceNotTheWholeHeaderSection(string directive, int expected)
    {
        RequestLimits limits = SiteText.Clean("Listen 80\n" + directive).RequestLimits;

        Assert.Equal(expected, limits.ReadAheadBytes);
    }

    [Theory]
    [InlineData("LimitRequestFields -1", "LimitRequestFields", "LimitRequestFields must be a whole number from 0 to 32767, got '-1'")]
    [InlineData("LimitRequestFields 32768", "LimitRequestFields", "LimitRequestFields must be a whole number from 0 to 32767, got '32768'")]
    [InlineData("LimitRequestFieldSize lots", "LimitRequestFieldSize", "LimitRequestFieldSize must be a whole number from 0 to 65536, got 'lots'")]
    [InlineData("LimitRequestLine 99999999999999999999", "LimitRequestLine", "LimitRequestLine must be a whole number from 0 to 65536, got '99999999999999999999'")]
    public void ABadSizeIsAnErrorAtItsLine(string line, string directive, string message)
    {
        var error = SiteText.Error($"Listen 80\n{line}");

        error.At(2, directive, hasFix: false);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void InAVirtualHostTheyApplyServerWideWithANote()
    {
        var result = SiteText.Build("Listen 80\n<VirtualHost *:80>\nLimitRequestFields 10\n</VirtualHost>");

        Assert.Equal(10, result.Config!.RequestLimits.MaxFields);
        ConfigDiagnostic note = Assert.Single(result.Diagnostics, d => d.Directive == "LimitRequestFields");
        Assert.Equal(DiagnosticSeverity.Note, note.Severity);
        Assert.Equal("applies to the whole server in WsgiHost, not only this virtual host", note.Message);
    }

    [Theory]
    [InlineData("RequestReadTimeout header=20-40,MinRate=500 body=20,MinRate=500", 40, 20, 500)]
    [InlineData("RequestReadTimeout header=10 body=30", 10, 30, null)]
    [InlineData("RequestReadTimeout body=0", null, 0, null)]
    [InlineData("RequestReadTimeout HEADER=5", 5, null, null)]
    [InlineData("RequestReadTimeout header=0", 0, null, null)]
    public void RequestReadTimeoutMapsOntoKestrelsLimits(string line, int? header, int? body, int? rate)
    {
        RequestLimits limits = SiteText.Clean($"Listen 80\n{line}").RequestLimits;

        Assert.Equal((header, body, rate), (limits.HeaderTimeoutSeconds, limits.BodyTimeoutSeconds, limits.BodyMinRate));
    }

    [Fact]
    public void AHandshakeTimeoutIsANote()
    {
        var note = Assert.Single(SiteText.Notes("Listen 80\nRequestReadTimeout handshake=5 header=10"));

        note.At(2, "RequestReadTimeout", hasFix: false);
        Assert.Equal("handshake= is not applied: Kestrel bounds TLS handshakes itself", note.Message);
    }

    [Theory]
    [InlineData("RequestReadTimeout header", "'header' is not handshake=, header= or body=")]
    [InlineData("RequestReadTimeout headers=20", "'headers=20' is not handshake=, header= or body=")]
    [InlineData("RequestReadTimeout header=x", "'header=x': the timeout must be seconds or a range of seconds (20 or 20-40)")]
    [InlineData("RequestReadTimeout header=20-40-60,MinRate=1", "'header=20-40-60,MinRate=1': the timeout must be seconds or a range of seconds (20 or 20-40)")]
    [InlineData("RequestReadTimeout header=-5", "'header=-5': the timeout must be seconds or a range of seconds (20 or 20-40)")]
    [InlineData("RequestReadTimeout header=40-20,MinRate=500", "'header=40-20,MinRate=500': the maximum timeout is below the timeout")]
    [InlineData("RequestReadTimeout header=20-40", "'header=20-40': a timeout range needs MinRate=")]
    [InlineData("RequestReadTimeout body=20,MinRate=0", "'body=20,MinRate=0': 'MinRate=0' is not MinRate=bytes-per-second (a whole number of at least 1)")]
    [InlineData("RequestReadTimeout body=20,Rate=5", "'body=20,Rate=5': 'Rate=5' is not MinRate=bytes-per-second (a whole number of at least 1)")]
    [InlineData("RequestReadTimeout body=99999999999", "'body=99999999999': the timeout must be seconds or a range of seconds (20 or 20-40)")]
    public void ABadRequestReadTimeoutIsAnErrorWithAnExample(string line, string message)
    {
        var error = SiteText.Error($"Listen 80\n{line}");

        error.At(2, "RequestReadTimeout");
        Assert.Equal(message, error.Message);
        Assert.Equal("for example RequestReadTimeout header=20-40,MinRate=500 body=20,MinRate=500", error.Fix);
    }

    [Fact]
    public void RequestReadTimeoutTakesAtMostThreeStages()
    {
        var error = SiteText.Error("Listen 80\nRequestReadTimeout header=1 body=1 handshake=1 header=2");

        Assert.Equal("RequestReadTimeout", error.Directive);
    }
}
