using WsgiHost.Python.Wsgi;

namespace WsgiHost.Tests.Wsgi;

public sealed class ResponseRulesTests
{
    [Theory]
    [InlineData("200 OK", 200, "OK")]
    [InlineData("404 Not Found", 404, "Not Found")]
    [InlineData("599 Custom reason with spaces", 599, "Custom reason with spaces")]
    [InlineData("404 ", 404, "")]
    public void ValidStatusLinesParse(string status, int code, string reason)
    {
        Assert.True(ResponseRules.TryParseStatus(status, out int c, out string r, out _));
        Assert.Equal((code, reason), (c, r));
    }

    [Theory]
    [InlineData("200")]
    [InlineData("200OK")]
    [InlineData("OK 200")]
    [InlineData("2000 OK")]
    [InlineData("099 Low")]
    [InlineData("600 High")]
    [InlineData("200 OK\r\nX: y")]
    [InlineData("20a OK")]
    public void InvalidStatusLinesAreRefusedWithAReason(string status)
    {
        Assert.False(ResponseRules.TryParseStatus(status, out _, out _, out string error));
        Assert.NotEmpty(error);
    }

    [Theory]
    [InlineData("Content-Type", "text/html", true)]
    [InlineData("X-Tab", "a\tb", true)]
    [InlineData("", "x", false)]
    [InlineData("Bad Name", "x", false)]
    [InlineData("Bad:Name", "x", false)]
    [InlineData("X-Split", "a\r\nSet-Cookie: x", false)]
    [InlineData("X-Nul", "a\0b", false)]
    public void HeadersAreChecked(string name, string value, bool ok) =>
        Assert.Equal(ok, ResponseRules.TryValidateHeader(name, value, out _));

    [Theory]
    [InlineData("0", 0L)]
    [InlineData(" 42 ", 42L)]
    [InlineData("-1", null)]
    [InlineData("1e3", null)]
    [InlineData("", null)]
    [InlineData("99999999999999999999", null)]
    public void ContentLengthMustBeAPlainNonNegativeInteger(string value, long? expected) =>
        Assert.Equal(expected, ResponseRules.ParseContentLength(value));
}
