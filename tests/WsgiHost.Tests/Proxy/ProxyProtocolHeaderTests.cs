using System.Buffers;
using System.Net;
using System.Text;
using WsgiHost.Proxy;

namespace WsgiHost.Tests.Proxy;

/// <summary>PROXY protocol v1 and v2 headers, from HAProxy's specification.</summary>
public sealed class ProxyProtocolHeaderTests
{
    private static (ProxyProtocolHeader.Outcome Outcome, int Consumed, IPEndPoint? Source) Parse(byte[] bytes)
    {
        var outcome = ProxyProtocolHeader.TryParse(new ReadOnlySequence<byte>(bytes), out int consumed, out IPEndPoint? source);
        return (outcome, consumed, source);
    }

    [Fact]
    public void VersionOneGivesTheClientAddressAndLeavesTheRequest()
    {
        byte[] bytes = Encoding.ASCII.GetBytes("PROXY TCP4 203.0.113.7 10.0.0.1 51234 80\r\nGET / HTTP/1.1\r\n");
        var (outcome, consumed, source) = Parse(bytes);
        Assert.Equal(ProxyProtocolHeader.Outcome.Parsed, outcome);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("203.0.113.7"), 51234), source);
        Assert.Equal("GET / HTTP/1.1\r\n", Encoding.ASCII.GetString(bytes, consumed, bytes.Length - consumed));
        Assert.Equal(IPAddress.Parse("2001:db8::1"), Parse(Encoding.ASCII.GetBytes("PROXY TCP6 2001:db8::1 2001:db8::2 1 2\r\n")).Source?.Address);
        var unknown = Parse(Encoding.ASCII.GetBytes("PROXY UNKNOWN\r\n"));
        Assert.Equal((ProxyProtocolHeader.Outcome.Parsed, (IPEndPoint?)null), (unknown.Outcome, unknown.Source));
    }

    [Theory]
    [InlineData("PROXY TCP4 203.0.113.7")]
    [InlineData("PRO")]
    [InlineData("")]
    public void AnUnfinishedHeaderAsksForMore(string text) =>
        Assert.Equal(ProxyProtocolHeader.Outcome.Incomplete, Parse(Encoding.ASCII.GetBytes(text)).Outcome);

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n")]
    [InlineData("PROXY TCP4 999.0.0.1 10.0.0.1 1 2\r\n")]
    [InlineData("PROXY TCP4 2001:db8::1 10.0.0.1 1 2\r\n")]
    [InlineData("PROXY TCP4 1.2.3.4 10.0.0.1 99999 2\r\n")]
    [InlineData("PROXY UDP4 1.2.3.4 10.0.0.1 1 2\r\n")]
    public void AnythingElseIsRefused(string text) =>
        Assert.Equal(ProxyProtocolHeader.Outcome.Invalid, Parse(Encoding.ASCII.GetBytes(text)).Outcome);

    [Fact]
    public void AVersionOneLineWithoutItsEndWithinTheLimitIsRefused() =>
        Assert.Equal(ProxyProtocolHeader.Outcome.Invalid, Parse(Encoding.ASCII.GetBytes("PROXY TCP4 " + new string('1', 120))).Outcome);

    internal static byte[] V2(byte command, byte family, byte[] addresses)
    {
        byte[] header = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, (byte)(0x20 | command), family, (byte)(addresses.Length >> 8), (byte)addresses.Length];
        return [.. header, .. addresses];
    }

    [Fact]
    public void VersionTwoGivesTheClientAddressForIPv4AndIPv6()
    {
        byte[] v4 = V2(0x1, 0x11, [203, 0, 113, 7, 10, 0, 0, 1, 0xC8, 0x22, 0x00, 0x50]);
        var parsed = Parse([.. v4, (byte)'G']);
        Assert.Equal(ProxyProtocolHeader.Outcome.Parsed, parsed.Outcome);
        Assert.Equal(28, parsed.Consumed);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("203.0.113.7"), 51234), parsed.Source);

        byte[] v6Addresses = new byte[36];
        IPAddress.Parse("2001:db8::7").GetAddressBytes().CopyTo(v6Addresses, 0);
        v6Addresses[32] = 0x01;
        v6Addresses[33] = 0xBB;
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::7"), 443), Parse(V2(0x1, 0x21, v6Addresses)).Source);

        // LOCAL: the balancer's own health check keeps the connection's address.
        var local = Parse(V2(0x0, 0x00, []));
        Assert.Equal((ProxyProtocolHeader.Outcome.Parsed, (IPEndPoint?)null), (local.Outcome, local.Source));
        // Half a header: wait for the rest.
        Assert.Equal(ProxyProtocolHeader.Outcome.Incomplete, Parse(v4[..20]).Outcome);
        // A wrong version nibble or a bad signature byte is refused.
        byte[] badVersion = [.. v4];
        badVersion[12] = 0x11;
        Assert.Equal(ProxyProtocolHeader.Outcome.Invalid, Parse(badVersion).Outcome);
        byte[] badSignature = [.. v4];
        badSignature[5] = 0x00;
        Assert.Equal(ProxyProtocolHeader.Outcome.Invalid, Parse(badSignature).Outcome);
    }
}
