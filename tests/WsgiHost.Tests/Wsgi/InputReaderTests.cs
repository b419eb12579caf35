using System.Text;
using WsgiHost.Python.Wsgi;

namespace WsgiHost.Tests.Wsgi;

public sealed class InputReaderTests
{
    /// <summary>A source that hands out the body in pieces of the given size, like a network read.</summary>
    private static InputReader Reader(string body, int piece = 3, long? length = null)
    {
        byte[] data = Encoding.ASCII.GetBytes(body);
        int position = 0;
        return new InputReader(buffer =>
        {
            int n = Math.Min(Math.Min(piece, buffer.Length), data.Length - position);
            data.AsSpan(position, n).CopyTo(buffer);
            position += n;
            return n;
        }, length);
    }

    private static string S(ReadOnlySpan<byte> b) => Encoding.ASCII.GetString(b);

    [Fact]
    public void ReadNFillsUpToNAcrossSourcePieces()
    {
        using var r = Reader("abcdefghij");
        Assert.Equal("abcdefg", S(r.Read(7)));
        Assert.Equal("hij", S(r.Read(7)));
        Assert.Equal("", S(r.Read(7)));
        Assert.Equal(10, r.BytesRead);
    }

    [Fact]
    public void ReadAllAndReadZero()
    {
        using var r = Reader("abcdefghij");
        Assert.Equal("", S(r.Read(0)));
        Assert.Equal("abcdefghij", S(r.Read(-1)));
        Assert.Equal("", S(r.Read(-1)));
    }

    [Fact]
    public void ReadLineStopsAfterTheNewlineOrTheLimit()
    {
        using var r = Reader("first line\nsecond\n\nlast");
        Assert.Equal("first line\n", S(r.ReadLine(-1)));
        Assert.Equal("sec", S(r.ReadLine(3)));
        Assert.Equal("ond\n", S(r.ReadLine(-1)));
        Assert.Equal("\n", S(r.ReadLine(-1)));
        Assert.Equal("last", S(r.ReadLine(-1)));
        Assert.Equal("", S(r.ReadLine(-1)));
    }

    [Fact]
    public void ReadsAndReadLinesInterleave()
    {
        using var r = Reader("ab\ncd\nef", piece: 64);
        Assert.Equal("a", S(r.Read(1)));
        Assert.Equal("b\n", S(r.ReadLine(-1)));
        Assert.Equal("cd\nef", S(r.Read(100)));
    }

    [Fact]
    public void ALargeBodyIsReadInBoundedPieces()
    {
        string body = new('x', 1_000_000);
        using var r = Reader(body, piece: 65536);
        long total = 0;
        while (true)
        {
            int n = r.Read(65536).Length;
            if (n == 0)
            {
                break;
            }
            Assert.True(n <= 65536);
            total += n;
        }
        Assert.Equal(1_000_000, total);
    }

    /// <summary>read() and readline() of a body far past the pooled sizes (the result then grows in plain arrays): every byte in its place.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadingAllOfABodyLargerThanThePooledResultsKeepsEveryByte(bool line)
    {
        var body = new StringBuilder(5_000_000);
        for (int i = 0; body.Length < 5_000_000; i++)
        {
            body.Append(i % 7919).Append(' ');
        }
        string text = body.ToString();
        using var r = Reader(text, piece: 50_000);
        Assert.Equal(text, S(line ? r.ReadLine(-1) : r.Read(-1)));
        Assert.Equal("", S(r.Read(-1)));
    }

    [Fact]
    public void ReadIntoTakesBufferedBytesFirstThenFillsFromTheSource()
    {
        using var r = Reader("ab\ncdefghij", piece: 4);
        Assert.Equal("ab\n", S(r.ReadLine(-1))); // "c" stays buffered
        byte[] target = new byte[6];
        Assert.Equal(6, r.ReadInto(target));
        Assert.Equal("cdefgh", S(target));
        Assert.Equal(2, r.ReadInto(target));
        Assert.Equal("ij", S(target.AsSpan(0, 2)));
        Assert.Equal(0, r.ReadInto(target));
        Assert.Equal("", S(r.Read(-1)));
    }

    [Fact]
    public void UnreadCountsWhatTheAppHasNotTakenOfABodyOfKnownLength()
    {
        using var r = Reader("ab\ncdefghij", piece: 4, length: 11);
        Assert.Equal(11, r.Unread);
        r.ReadLine(-1);
        Assert.Equal(8, r.Unread); // one of the bytes read from the source is still buffered here
        r.ReadInto(new byte[5]);
        Assert.Equal(3, r.Unread);
        r.Read(-1);
        Assert.Equal(0, r.Unread);
    }

    [Fact]
    public void UnreadIsUnknownForABodyWithoutLengthUntilItsEnd()
    {
        using var r = Reader("abcdef", piece: 4);
        Assert.Null(r.Unread);
        r.Read(2);
        Assert.Null(r.Unread);
        r.Read(-1);
        Assert.Equal(0, r.Unread);
    }
}
