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
    [InlineData("*a*b", "xxaxxbx", false)]
    [InlineData("a*", "a", true)]
    [InlineData("*?", "", false)]
    [InlineData("*[0-9]", "site12", true)]
    [InlineData("*[0-9]x", "site12", false)]
    [InlineData("**.conf", "a.conf", true)]
    [InlineData("*\\*", "a*", true)]
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

    [Fact]
    public void ManyStarsAgainstALongNameTakeNoTimeAndStillAnswerRight()
    {
        // QA: "*a*a*a*a*a*b" against 200 a's took more than 60 s with a recursive try of every split.
        string name = new('a', 200);

        Assert.False(WildcardPattern.IsMatch("*a*a*a*a*a*a*a*a*b", name));
        Assert.True(WildcardPattern.IsMatch("*a*a*a*a*a*a*a*a*", name));
    }
}
