using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Tests.Configuration.Syntax;

public sealed class WildcardPatternTests
{
    [Theory]
    [InlineData("*.conf", "a.conf", true)]
    [InlineData("*.conf", "a.conf.bak", false)]
    [InlineData("*.conf", ".a.conf", false)]
    [InlineData(".*.conf", ".a.conf", true)]
    [InlineData("*", "anything", true)]
    [InlineData("a?c", "abc", true)]
    [InlineData("a?c", "ac", false)]
    [InlineData("[ab]*", "beta", true)]
    [InlineData("[!ab]*", "beta", false)]
    [InlineData("[^ab]*", "gamma", true)]
    [InlineData("site[0-9].conf", "site7.conf", true)]
    [InlineData("site[0-9].conf", "sitex.conf", false)]
    [InlineData("a\\*", "a*", true)]
    [InlineData("a\\*", "ab", false)]
    [InlineData("[x", "[x", true)]
    [InlineData("*a*b", "xxaxxb", true)]
    public void MatchesAsFnmatchWithLeadingPeriod(string pattern, string name, bool expected) =>
        Assert.Equal(expected, WildcardPattern.IsMatch(pattern, name));

    [Theory]
    [InlineData("/etc/conf.d/*.conf", true)]
    [InlineData("/etc/site?.conf", true)]
    [InlineData("/etc/site[12].conf", true)]
    [InlineData("/etc/[x", false)]
    [InlineData("/etc/a\\*", false)]
    [InlineData("/etc/site.conf", false)]
    public void FindsWildcardsAsAprFnmatchTest(string path, bool expected) =>
        Assert.Equal(expected, WildcardPattern.HasWildcards(path));
}
