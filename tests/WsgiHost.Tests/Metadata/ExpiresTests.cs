using Microsoft.AspNetCore.Http;
using WsgiHost.Configuration.Model;
using WsgiHost.Metadata;
using WsgiHost.Tests.Configuration.Directives;

namespace WsgiHost.Tests.Metadata;

/// <summary>mod_expires' intervals and what they put on a response.</summary>
public sealed class ExpiresTests
{
    private static readonly DateTimeOffset Requested = new(2026, 12, 5, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("access plus 1 month", false, 30L * 86400)]
    [InlineData("now plus 1 year 2 weeks", false, 365L * 86400 + 14 * 86400)]
    [InlineData("modification plus 5 hours 3 minutes 1 second", true, 5 * 3600 + 3 * 60 + 1)]
    [InlineData("access 1 day", false, 86400)]
    [InlineData("A3600", false, 3600)]
    [InlineData("M604800", true, 604800)]
    public void IntervalsReadAsModExpiresReadsThem(string text, bool fromModification, long seconds)
    {
        Assert.Equal(new ExpiresRule(fromModification, seconds), ExpiresRule.Parse(text, out string? problem));
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("later plus 1 day", "'later' is not a base: use access, now or modification")]
    [InlineData("access plus one day", "'one' is not a number")]
    [InlineData("access plus 3 fortnights", "'fortnights' is not a unit: use years, months, weeks, days, hours, minutes or seconds")]
    [InlineData("access plus 3", "'3' has no unit")]
    [InlineData("access plus", "the interval gives no time after its base, as in \"access plus 1 month\"")]
    public void BadIntervalsSayWhy(string text, string problem)
    {
        Assert.Null(ExpiresRule.Parse(text, out string? actual));
        Assert.Equal(problem, actual);
    }

    private static HttpResponse Response(int status, string? type, params (string Name, string Value)[] headers)
    {
        var response = new DefaultHttpContext().Response;
        response.StatusCode = status;
        response.ContentType = type;
        foreach (var (name, value) in headers)
        {
            response.Headers[name] = value;
        }
        return response;
    }

    private static PerDirSettings Settings(string lines) => SiteText.Clean("Listen 80\n" + lines).MainServer.Defaults;

    private const string Lines = """
        ExpiresActive On
        ExpiresDefault "access plus 10 minutes"
        ExpiresByType text/css "access plus 1 year"
        ExpiresByType image/* "modification plus 1 day"
        """;

    [Fact]
    public void ByTypeThenWildcardThenDefault()
    {
        var settings = Settings(Lines);

        var css = Response(200, "text/css; charset=utf-8", ("Cache-Control", "public"));
        ExpiresHeaders.Apply(css, settings, Requested, null);
        Assert.Equal(("public, max-age=31536000", "Sun, 05 Dec 2027 10:00:00 GMT"), (css.Headers.CacheControl.ToString(), css.Headers.Expires.ToString()));

        var png = Response(200, "image/png", ("Last-Modified", "Fri, 04 Dec 2026 10:00:00 GMT"));
        ExpiresHeaders.Apply(png, settings, Requested, null);
        Assert.Equal(("max-age=0", "Sat, 05 Dec 2026 10:00:00 GMT"), (png.Headers.CacheControl.ToString(), png.Headers.Expires.ToString()));

        var html = Response(200, "text/html");
        ExpiresHeaders.Apply(html, settings, Requested, null);
        Assert.Equal("max-age=600", html.Headers.CacheControl);
    }

    [Fact]
    public void ErrorsTheAppsOwnExpiresAndModificationWithoutADateAreLeftAlone()
    {
        var settings = Settings(Lines);

        var notFound = Response(404, "text/css");
        var own = Response(200, "text/css", ("Expires", "0"));
        var dynamicImage = Response(200, "image/png");
        foreach (var response in new[] { notFound, own, dynamicImage })
        {
            ExpiresHeaders.Apply(response, settings, Requested, null);
        }

        Assert.False(notFound.Headers.ContainsKey("Expires"));
        Assert.Equal(("0", false), (own.Headers.Expires.ToString(), own.Headers.ContainsKey("Cache-Control")));
        Assert.False(dynamicImage.Headers.ContainsKey("Expires"));
    }

    [Fact]
    public void ANotModifiedResponseTakesItsTypeFromTheMappedFile()
    {
        var notModified = Response(304, null);

        ExpiresHeaders.Apply(notModified, Settings(Lines), Requested, "/srv/site/static/app.css");

        Assert.Equal("max-age=31536000", notModified.Headers.CacheControl);
    }

    [Fact]
    public void ASectionReplacesTheTypesItNamesAndKeepsTheRest()
    {
        var config = SiteText.Clean("Listen 80\n" + Lines + "\n<Location /static>\nExpiresByType text/css A60\n</Location>");
        var merged = config.MainServer.Defaults.Merge(Assert.Single(config.MainServer.Sections).Payload.Settings);

        Assert.Equal(new ExpiresRule(false, 60), merged.ExpiresByType["text/css"]);
        Assert.Equal(new ExpiresRule(true, 86400), merged.ExpiresByType["image/*"]);
        Assert.True(merged.ExpiresActive);
    }

    [Theory]
    [InlineData("ExpiresByType css A60", "'css' is not a media type")]
    [InlineData("ExpiresDefault \"access plus 2 moons\"", "the interval 'access plus 2 moons' cannot be read: 'moons' is not a unit: use years, months, weeks, days, hours, minutes or seconds")]
    public void BadLinesAreErrorsWithTheirLine(string line, string message)
    {
        var error = SiteText.Error("Listen 80\n" + line);

        error.At(2, line.Split(' ')[0]);
        Assert.Equal(message, error.Message);
    }
}
