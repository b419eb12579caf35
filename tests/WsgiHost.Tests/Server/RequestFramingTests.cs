using Microsoft.AspNetCore.Http;
using WsgiHost.Server;

namespace WsgiHost.Tests.Server;

/// <summary>The framing and header checks made before routing, on requests as Kestrel hands them over.</summary>
public sealed class RequestFramingTests
{
    private static HttpRequest Request(params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        foreach (var (name, value) in headers)
        {
            context.Request.Headers.Append(name, value);
        }
        return context.Request;
    }

    [Fact]
    public void AnOrdinaryRequestPasses()
    {
        Assert.Equal((0, null), RequestFraming.Check(Request(("Host", "a"), ("Transfer-Encoding", "chunked"), ("X-Tab", "a\tb")), 8190));
        Assert.Equal((0, null), RequestFraming.Check(Request(("Host", "a"), ("Content-Length", "5")), 8190));
        Assert.Equal((0, null), RequestFraming.Check(Request(("Transfer-Encoding", " Chunked ")), 8190));
    }

    [Fact]
    public void ConnectIs400AndAnExpectationOtherThan100ContinueIs417()
    {
        HttpRequest connect = Request(("Host", "a"));
        connect.Method = "CONNECT";
        Assert.Equal(400, RequestFraming.Check(connect, 8190).Status);
        Assert.Equal((417, "client sent an unrecognized expectation value of Expect: foo"), RequestFraming.Check(Request(("Expect", "foo")), 8190));
        Assert.Equal((0, null), RequestFraming.Check(Request(("Expect", "100-Continue")), 8190));
    }

    [Theory]
    [InlineData("HTTP/2")]
    [InlineData("HTTP/3")]
    public void TransferEncodingInAnHttp2OrHttp3RequestIs400(string protocol)
    {
        HttpRequest request = Request(("Transfer-Encoding", "chunked"));
        request.Protocol = protocol;

        Assert.Equal((400, $"{protocol} request with Transfer-Encoding (malformed)"), RequestFraming.Check(request, 8190));
    }

    [Theory]
    [InlineData("X\u0001Ctl")]
    [InlineData("x a")]
    [InlineData("x:a")]
    public void AFieldNameWithANonTokenCharacterIs400(string name)
    {
        Assert.Equal((400, $"request header field name '{name}' has a character a name may not have"), RequestFraming.Check(Request((name, "v")), 8190));
    }

    [Theory]
    [InlineData("Content-Length", "5")]
    // Kestrel's rewrite of a Content-Length it found next to Transfer-Encoding.
    [InlineData("X-Content-Length", "5")]
    public void TransferEncodingWithALengthIs400(string name, string value)
    {
        var (status, reason) = RequestFraming.Check(Request(("Transfer-Encoding", "chunked"), (name, value)), 8190);

        Assert.Equal(400, status);
        Assert.Equal("request has both Transfer-Encoding and Content-Length (a request smuggling attempt?)", reason);
    }

    [Theory]
    [InlineData("gzip, chunked")]
    [InlineData("chunked, chunked")]
    [InlineData("identity")]
    public void AnyTransferEncodingButOneChunkedIs400(string value)
    {
        var (status, reason) = RequestFraming.Check(Request(("Transfer-Encoding", value)), 8190);

        Assert.Equal(400, status);
        Assert.Equal($"unsupported Transfer-Encoding '{value}' (only a single 'chunked' is accepted)", reason);
    }

    [Fact]
    public void TwoTransferEncodingLinesAre400()
    {
        Assert.Equal(400, RequestFraming.Check(Request(("Transfer-Encoding", "chunked"), ("Transfer-Encoding", "chunked")), 8190).Status);
    }

    [Theory]
    [InlineData("a\u0000b")]
    [InlineData("a\u0001b")]
    [InlineData("a\rb")]
    [InlineData("a\nb")]
    [InlineData("a\u001fb")]
    [InlineData("a\u007fb")]
    public void AControlCharacterInAValueIs400(string value)
    {
        var (status, reason) = RequestFraming.Check(Request(("X-Ctl", value)), 8190);

        Assert.Equal(400, status);
        Assert.Equal("request header field 'X-Ctl' contains a control character", reason);
    }

    [Fact]
    public void AFieldOverLimitRequestFieldSizeIs431AndZeroIsUnlimited()
    {
        // "X-A: " + value: 5 bytes of name, colon and space.
        Assert.Equal(0, RequestFraming.Check(Request(("X-A", new string('v', 95))), 100).Status);
        var (status, reason) = RequestFraming.Check(Request(("X-A", "1"), ("X-A", new string('v', 96))), 100);
        Assert.Equal(431, status);
        Assert.Equal("request header field 'X-A' is 101 bytes, over LimitRequestFieldSize 100", reason);
        Assert.Equal(0, RequestFraming.Check(Request(("X-A", new string('v', 100_000))), 0).Status);
    }

    [Fact]
    public void RepeatedLinesAreBoundedAsTheOneFieldTheAppGets()
    {
        // Six Cookie lines of 7,000 bytes: each under 8190, merged 42 KB (QA, as Apache refuses it).
        var cookies = Enumerable.Range(0, 6).Select(i => ("Cookie", $"c{i}=" + new string('v', 7000))).ToArray();
        var (status, reason) = RequestFraming.Check(Request(cookies), 8190);
        Assert.Equal(431, status);
        Assert.Equal("request header field 'Cookie' is 42036 bytes once its 6 lines are merged, over LimitRequestFieldSize 8190", reason);
        Assert.Equal(0, RequestFraming.Check(Request(("Cookie", "a=1"), ("Cookie", "b=2")), 8190).Status);
        Assert.Equal(0, RequestFraming.Check(Request(cookies), 0).Status);
    }
}
