using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace WsgiHost.Proxy;

/// <summary>
/// The PROXY protocol header (HAProxy's spec, versions 1 and 2) that a load balancer sends
/// first on each connection, giving the client's address. Pure: parses bytes, never reads.
/// </summary>
internal static class ProxyProtocolHeader
{
    public enum Outcome
    {
        /// <summary>More bytes are needed.</summary>
        Incomplete,
        Parsed,
        Invalid,
    }

    /// <summary>The longest header (v1: 107 bytes; v2: 16 + 216 for the address block we accept).</summary>
    public const int MaxLength = 232;

    private static ReadOnlySpan<byte> V2Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    /// <summary>
    /// Parses a header at the start of <paramref name="data"/>. <paramref name="source"/> is the
    /// client's address, or null for v1 UNKNOWN and v2 LOCAL (a health check by the balancer
    /// itself: keep the connection's own address).
    /// </summary>
    public static Outcome TryParse(ReadOnlySequence<byte> data, out int consumed, out IPEndPoint? source)
    {
        consumed = 0;
        source = null;
        Span<byte> head = stackalloc byte[(int)Math.Min(data.Length, MaxLength)];
        data.Slice(0, head.Length).CopyTo(head);
        if (head.Length == 0)
        {
            return Outcome.Incomplete;
        }
        if (head[0] == (byte)'P')
        {
            return ParseV1(head, out consumed, out source);
        }
        if (head[0] == 0x0D)
        {
            return ParseV2(head, out consumed, out source);
        }
        return Outcome.Invalid;
    }

    private static Outcome ParseV1(ReadOnlySpan<byte> head, out int consumed, out IPEndPoint? source)
    {
        consumed = 0;
        source = null;
        int end = head.IndexOf("\r\n"u8);
        if (end < 0)
        {
            return head.Length >= 107 || !"PROXY "u8[..Math.Min(6, head.Length)].SequenceEqual(head[..Math.Min(6, head.Length)]) ? Outcome.Invalid : Outcome.Incomplete;
        }
        string line = Encoding.ASCII.GetString(head[..end]);
        consumed = end + 2;
        string[] parts = line.Split(' ');
        if (parts.Length < 2 || parts[0] != "PROXY")
        {
            return Outcome.Invalid;
        }
        if (parts[1] == "UNKNOWN")
        {
            return Outcome.Parsed;
        }
        if (parts.Length != 6 || parts[1] is not ("TCP4" or "TCP6")
            || !IPAddress.TryParse(parts[2], out IPAddress? address) || !IPAddress.TryParse(parts[3], out _)
            || !ushort.TryParse(parts[4], out ushort port) || !ushort.TryParse(parts[5], out _))
        {
            return Outcome.Invalid;
        }
        bool v4 = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork;
        if (v4 != (parts[1] == "TCP4"))
        {
            return Outcome.Invalid;
        }
        source = new IPEndPoint(address, port);
        return Outcome.Parsed;
    }

    private static Outcome ParseV2(ReadOnlySpan<byte> head, out int consumed, out IPEndPoint? source)
    {
        consumed = 0;
        source = null;
        int have = Math.Min(head.Length, V2Signature.Length);
        if (!head[..have].SequenceEqual(V2Signature[..have]))
        {
            return Outcome.Invalid;
        }
        if (head.Length < 16)
        {
            return Outcome.Incomplete;
        }
        byte versionCommand = head[12];
        byte family = head[13];
        int length = BinaryPrimitives.ReadUInt16BigEndian(head[14..16]);
        if (versionCommand >> 4 != 2 || 16 + length > MaxLength)
        {
            return Outcome.Invalid;
        }
        if (head.Length < 16 + length)
        {
            return Outcome.Incomplete;
        }
        consumed = 16 + length;
        ReadOnlySpan<byte> body = head.Slice(16, length);
        switch (versionCommand & 0x0F)
        {
            case 0x0: // LOCAL: the balancer's own connection
                return Outcome.Parsed;
            case 0x1:
                break;
            default:
                return Outcome.Invalid;
        }
        switch (family)
        {
            case 0x11 when length >= 12: // TCP over IPv4
                source = new IPEndPoint(new IPAddress(body[..4]), BinaryPrimitives.ReadUInt16BigEndian(body[8..10]));
                return Outcome.Parsed;
            case 0x21 when length >= 36: // TCP over IPv6
                source = new IPEndPoint(new IPAddress(body[..16]), BinaryPrimitives.ReadUInt16BigEndian(body[32..34]));
                return Outcome.Parsed;
            case 0x00: // UNSPEC
                return Outcome.Parsed;
            default:
                return Outcome.Invalid;
        }
    }
}
