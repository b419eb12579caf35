using System.Buffers;
using System.Net;
using System.Text;
using WsgiHost.Proxy;
using WsgiHost.Tests.Proxy;
using Xunit.Abstractions;

namespace WsgiHost.Tests.Fuzzing;

/// <summary>
/// The PROXY protocol parser reads the first bytes any client sends to a RemoteIPProxyProtocol
/// listener: on mutations of valid v1 and v2 headers it never throws, never consumes more than
/// it was given, and never waits for more once MaxLength bytes are there.
/// </summary>
public sealed class ProxyHeaderFuzzTests(ITestOutputHelper output)
{
    private static readonly byte[][] Seeds =
    [
        Encoding.ASCII.GetBytes("PROXY TCP4 203.0.113.7 10.0.0.1 51234 80\r\nGET / HTTP/1.1\r\n"),
        Encoding.ASCII.GetBytes("PROXY TCP6 2001:db8::1 2001:db8::2 1 65535\r\n"),
        Encoding.ASCII.GetBytes("PROXY UNKNOWN\r\n"),
        ProxyProtocolHeaderTests.V2(0x1, 0x11, [203, 0, 113, 7, 10, 0, 0, 1, 0xC8, 0x22, 0x00, 0x50]),
        ProxyProtocolHeaderTests.V2(0x1, 0x21, [.. Enumerable.Range(0, 36).Select(i => (byte)i)]),
        ProxyProtocolHeaderTests.V2(0x0, 0x00, []),
    ];

    [Fact]
    public void MutatedHeadersAreParsedOrRefusedNeverThrown()
    {
        FuzzRun.Run(output, "PROXY protocol headers", 5000, TimeSpan.FromSeconds(3),
            random => Mutator.Bytes(random, Seeds[random.Next(Seeds.Length)]),
            bytes =>
            {
                var outcome = ProxyProtocolHeader.TryParse(new ReadOnlySequence<byte>(bytes), out int consumed, out IPEndPoint? _);
                switch (outcome)
                {
                    case ProxyProtocolHeader.Outcome.Parsed:
                        Assert.InRange(consumed, 1, Math.Min(bytes.Length, ProxyProtocolHeader.MaxLength));
                        break;
                    case ProxyProtocolHeader.Outcome.Incomplete:
                        // Waiting for more is only right while a header could still fit.
                        Assert.True(bytes.Length < ProxyProtocolHeader.MaxLength, $"Incomplete with {bytes.Length} bytes");
                        break;
                }
            },
            Convert.ToHexString);
    }
}
