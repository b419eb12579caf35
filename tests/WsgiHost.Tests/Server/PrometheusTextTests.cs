using WsgiHost.Server;

namespace WsgiHost.Tests.Server;

public sealed class PrometheusTextTests
{
    [Fact]
    public void AFamilyIsHelpThenTypeThenItsSamples()
    {
        string text = new PrometheusText()
            .Family("jobs_total", "counter", "Jobs done.")
            .Sample("jobs_total", 3, ("queue", "a"), ("code", "200"))
            .Sample("jobs_total", 0)
            .ToString();
        Assert.Equal("# HELP jobs_total Jobs done.\n# TYPE jobs_total counter\njobs_total{queue=\"a\",code=\"200\"} 3\njobs_total 0\n", text);
    }

    [Fact]
    public void LabelValuesEscapeBackslashQuoteAndNewlineAndHelpEscapesBackslashAndNewline()
    {
        string text = new PrometheusText()
            .Family("m", "gauge", "a \\ b\nc \"quoted\"")
            .Sample("m", 1, ("v", "C:\\dir \"x\"\nnext"))
            .ToString();
        Assert.Equal("# HELP m a \\\\ b\\nc \"quoted\"\n# TYPE m gauge\nm{v=\"C:\\\\dir \\\"x\\\"\\nnext\"} 1\n", text);
    }

    [Theory]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(0.005, "0.005")]
    [InlineData(2.5, "2.5")]
    [InlineData(10, "10")]
    [InlineData(123456789012, "123456789012")]
    public void NumbersAreWrittenAsPrometheusReadsThem(double value, string written) =>
        Assert.Equal(written, PrometheusText.Number(value));

    [Fact]
    public void AHistogramHasCumulativeBucketsUpToInfThenSumAndCount()
    {
        string text = new PrometheusText()
            .Histogram("d_seconds", [0.1, 1], [2, 1, 4], 7.25, ("vhost", "a"))
            .ToString();
        Assert.Equal(
            "d_seconds_bucket{vhost=\"a\",le=\"0.1\"} 2\n" +
            "d_seconds_bucket{vhost=\"a\",le=\"1\"} 3\n" +
            "d_seconds_bucket{vhost=\"a\",le=\"+Inf\"} 7\n" +
            "d_seconds_sum{vhost=\"a\"} 7.25\n" +
            "d_seconds_count{vhost=\"a\"} 7\n", text);
    }
}
