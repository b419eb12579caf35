using WsgiHost.Server;

namespace WsgiHost.Tests.Server;

public sealed class CgiHeaderNamesTests
{
    [Theory]
    [InlineData("User-Agent", "HTTP_USER_AGENT")]
    [InlineData("x-forwarded-for", "HTTP_X_FORWARDED_FOR")]
    [InlineData("X-123", "HTTP_X_123")]
    [InlineData("X_Forwarded_For", null)]
    [InlineData("X.Dotted", null)]
    [InlineData("", null)]
    public void OnlyLettersDigitsAndDashesMakeAKey(string header, string? key) =>
        Assert.Equal(key, CgiHeaderNames.KeyFor(header));

    [Theory]
    [InlineData("example.com", "example.com", null)]
    [InlineData("Example.COM.:8080", "example.com", "8080")]
    [InlineData("[::1]:8000", "[::1]", "8000")]
    [InlineData("[::1]", "[::1]", null)]
    [InlineData("", "", null)]
    public void HostHeadersSplitIntoNameAndPort(string header, string host, string? port) =>
        Assert.Equal((host, port), KestrelExchange.SplitHost(header));
}
