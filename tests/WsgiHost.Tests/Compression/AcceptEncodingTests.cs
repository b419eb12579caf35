using Microsoft.Extensions.Primitives;
using WsgiHost.Compression;
using WsgiHost.Configuration.Model;

namespace WsgiHost.Tests.Compression;

/// <summary>Which coding a request's Accept-Encoding lets a response use (RFC 9110 §12.5.3).</summary>
public sealed class AcceptEncodingTests
{
    // Codings as ints in the theories (ContentCodings is internal): 1 gzip, 2 brotli, 3 both.
    private const int Gzip = 1, Brotli = 2, Both = 3, None = 0;

    [Theory]
    [InlineData("gzip", Both, Gzip)]
    [InlineData("gzip, deflate, br", Both, Brotli)]          // a tie: the smaller
    [InlineData("gzip, deflate, br", Gzip, Gzip)]
    [InlineData("br;q=0.5, gzip", Both, Gzip)]
    [InlineData("GZIP;Q=0.3", Gzip, Gzip)]
    [InlineData("x-gzip", Gzip, Gzip)]
    [InlineData("gzip;q=0", Gzip, None)]
    [InlineData("gzip;q=0.000", Both, None)]
    [InlineData("*", Gzip, Gzip)]
    [InlineData("*;q=0.1, gzip;q=0", Both, Brotli)]           // named refusal beats *
    [InlineData("identity", Both, None)]
    [InlineData("deflate", Both, None)]
    [InlineData("gzip;q=lots", Both, None)]                    // malformed: not assumed
    [InlineData("br", Gzip, None)]
    [InlineData("", Both, None)]
    public void TheClientsPreferenceAmongTheOfferedCodingsWins(string header, int offered, int expected)
    {
        Assert.Equal((ContentCodings)expected, AcceptEncoding.Choose(new StringValues(header), (ContentCodings)offered));
    }

    [Fact]
    public void SeveralHeaderLinesCountAsOneList()
    {
        Assert.Equal(ContentCodings.Gzip, AcceptEncoding.Choose(new StringValues(["br;q=0", "gzip"]), ContentCodings.Gzip | ContentCodings.Brotli));
        Assert.Equal(ContentCodings.None, AcceptEncoding.Choose(StringValues.Empty, ContentCodings.Gzip | ContentCodings.Brotli));
    }
}
