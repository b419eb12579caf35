using WsgiHost.StaticFiles;

namespace WsgiHost.Tests.StaticFiles;

public sealed class EntityTagTests
{
    [Fact]
    public void AFileTagIsSizeAndMicrosecondsInLowerCaseHex()
    {
        var modified = DateTime.UnixEpoch.AddTicks(0x1234_5678 * 10L);
        var tag = EntityTag.ForFile(0xABC, modified, modified.AddMinutes(5));
        Assert.Equal("\"abc-12345678\"", tag.ToString());
        Assert.False(tag.IsWeak);
    }

    [Fact]
    public void ATagIsWeakWithinASecondOfTheModification()
    {
        var modified = new DateTime(2025, 5, 1, 12, 0, 0, DateTimeKind.Utc);
        Assert.True(EntityTag.ForFile(1, modified, modified.AddMilliseconds(999)).IsWeak);
        Assert.StartsWith("W/\"1-", EntityTag.ForFile(1, modified, modified.AddMilliseconds(999)).ToString());
        Assert.False(EntityTag.ForFile(1, modified, modified.AddMilliseconds(1001)).IsWeak);
    }

    [Fact]
    public void ListsParseStrongWeakAndStar()
    {
        var tags = EntityTag.ParseList(" \"a\" ,W/\"b\",, \"c,d\"", out bool any);
        Assert.False(any);
        Assert.Equal([new EntityTag("\"a\"", false), new EntityTag("\"b\"", true), new EntityTag("\"c,d\"", false)], tags);
        Assert.Empty(EntityTag.ParseList(" * ", out any));
        Assert.True(any);
    }

    [Fact]
    public void AMalformedListKeepsTheTagsBeforeTheFault()
    {
        var tags = EntityTag.ParseList("\"a\", bare, \"b\"", out _);
        Assert.Equal([new EntityTag("\"a\"", false)], tags);
        Assert.Empty(EntityTag.ParseList("\"unterminated", out _));
    }

    [Fact]
    public void StrongComparisonNeedsBothStrongWeakOnlyTheSameOpaqueTag()
    {
        var strong = new EntityTag("\"x\"", false);
        var weak = new EntityTag("\"x\"", true);
        Assert.True(strong.StrongMatches(strong));
        Assert.False(strong.StrongMatches(weak));
        Assert.False(weak.StrongMatches(weak));
        Assert.True(weak.WeakMatches(strong));
        Assert.False(strong.WeakMatches(new EntityTag("\"y\"", false)));
    }

    [Theory]
    [InlineData("\"x\"", "\"x\"", false)]
    [InlineData(" W/\"x\" ", "\"x\"", true)]
    public void OneTagParses(string text, string opaque, bool weak) =>
        Assert.Equal(new EntityTag(opaque, weak), EntityTag.TryParse(text));

    [Theory]
    [InlineData("Tue, 02 Jan 2024 03:04:05 GMT")]
    [InlineData("\"a\"b\"")]
    [InlineData("\"")]
    [InlineData("x")]
    public void DatesAndJunkAreNotTags(string text) => Assert.Null(EntityTag.TryParse(text));
}
