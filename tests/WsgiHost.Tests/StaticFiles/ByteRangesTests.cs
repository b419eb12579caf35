using WsgiHost.StaticFiles;

namespace WsgiHost.Tests.StaticFiles;

public sealed class ByteRangesTests
{
    private static string Describe(string? header, long length)
    {
        RangeOutcome outcome = ByteRanges.Parse(header, length, out var ranges);
        return outcome + (ranges.Count > 0 ? " " + string.Join(",", ranges.Select(r => $"{r.Start}-{r.End}")) : "");
    }

    [Theory]
    [InlineData("bytes=0-4", "Partial 0-4")]
    [InlineData("BYTES=2-3", "Partial 2-3")]
    [InlineData("bytes=5-", "Partial 5-9")]
    [InlineData("bytes=-3", "Partial 7-9")]
    [InlineData("bytes=-30", "Partial 0-9")]
    [InlineData("bytes=8-100", "Partial 8-9")]
    [InlineData("bytes=0-", "Partial 0-9")]
    [InlineData("bytes= 1-2 , 5-6 ", "Partial 1-2,5-6")]
    [InlineData("bytes=1-2,,5-6", "Partial 1-2,5-6")]
    public void SatisfiableRanges(string header, string expected) => Assert.Equal(expected, Describe(header, 10));

    [Theory]
    [InlineData("bytes=0-3,2-5", "Partial 0-5")]      // overlap
    [InlineData("bytes=0-3,4-5", "Partial 0-5")]      // adjacent
    [InlineData("bytes=4-5,0-3", "Partial 0-5")]      // adjacent, backwards
    [InlineData("bytes=6-7,0-1", "Partial 6-7,0-1")]  // disjoint keep their order
    [InlineData("bytes=3-4,0-", "Partial 0-9")]       // 0- swallows the rest
    [InlineData("bytes=0-5,0-5", "Partial 0-5")]      // a repeat is no amplification
    public void RangesMergeWithThePreviousOneAsApacheDoes(string header, string expected) =>
        Assert.Equal(expected, Describe(header, 10));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("items=0-1")]
    [InlineData("bytes=")]
    [InlineData("bytes=5-2")]
    [InlineData("bytes=abc")]
    [InlineData("bytes=1-2,x")]
    [InlineData("bytes=-0")]
    [InlineData("bytes=+1-2")]
    [InlineData("bytes=1 - 2")]
    [InlineData("bytes=0-99999999999999999999")]
    public void InvalidHeadersAreIgnored(string? header) => Assert.Equal("Ignore", Describe(header, 10));

    [Fact]
    public void RangesStartingPastTheEndAreUnsatisfiableUnlessAnotherFits()
    {
        Assert.Equal("Unsatisfiable", Describe("bytes=10-", 10));
        Assert.Equal("Unsatisfiable", Describe("bytes=10-20,30-40", 10));
        Assert.Equal("Partial 0-1", Describe("bytes=10-20,0-1", 10));
    }

    [Fact]
    public void AnEmptyFileIsNeverRanged() => Assert.Equal("Ignore", Describe("bytes=0-0", 0));

    [Fact]
    public void OverlapsThatAddUpToMoreThanTheFileAreIgnored() =>
        // 0-5 and 7-7 stay apart; 1-9 merges only with 7-7 (the one before it) into 1-9,
        // which overlaps 0-5: 6 + 9 bytes of a 10-byte file.
        Assert.Equal("Ignore", Describe("bytes=0-5,7-7,1-9", 10));

    [Fact]
    public void TooManyRangesAreIgnored()
    {
        string many = "bytes=" + string.Join(",", Enumerable.Range(0, ByteRanges.MaxRanges + 1).Select(i => $"{i * 2}-{i * 2}"));
        Assert.Equal("Ignore", Describe(many, 10_000));
        string allowed = "bytes=" + string.Join(",", Enumerable.Range(0, ByteRanges.MaxRanges).Select(i => $"{i * 2}-{i * 2}"));
        Assert.StartsWith("Partial", Describe(allowed, 10_000));
    }

    [Fact]
    public void TooManyOverlapsAreIgnored()
    {
        string overlapping = "bytes=" + string.Join(",", Enumerable.Range(0, ByteRanges.MaxOverlaps + 2).Select(_ => "0-1"));
        Assert.Equal("Ignore", Describe(overlapping, 10));
    }
}
