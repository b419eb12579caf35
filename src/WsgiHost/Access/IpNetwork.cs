using System.Net;
using System.Net.Sockets;

namespace WsgiHost.Access;

/// <summary>
/// An address or network as <c>Require ip</c> and <c>Allow from</c> take it, parsed the way APR's
/// <c>apr_ipsubnet_create</c> does: a full address (<c>10.1.2.3</c>, <c>2001:db8::1</c>), a partial IPv4
/// address meaning its leading octets (<c>10.1</c> or <c>10.1.</c> is 10.1.0.0/16), an address with a prefix
/// length (<c>10.0.0.0/8</c>, <c>2001:db8::/32</c>) or an IPv4 address with a dotted netmask
/// (<c>10.0.0.0/255.0.0.0</c>). Host bits set in the address are cleared, as APR's <c>fix_subnet</c> does.
/// </summary>
internal sealed class IpNetwork
{
    private readonly byte[] _network;
    private readonly byte[] _mask;

    private IpNetwork(string text, byte[] network, byte[] mask)
    {
        Text = text;
        _mask = mask;
        _network = new byte[network.Length];
        for (var i = 0; i < network.Length; i++)
        {
            _network[i] = (byte)(network[i] & mask[i]);
        }
    }

    /// <summary>The network as configured.</summary>
    public string Text { get; }

    public bool IsIPv6 => _network.Length == 16;

    /// <summary>What <see cref="TryParse"/> made of a word.</summary>
    public enum ParseOutcome
    {
        Parsed,
        /// <summary>The word has characters no address has (APR's EINVAL): for <c>Allow from</c> it is a host name.</summary>
        NotAnAddress,
        /// <summary>The word looks like an address but is not a valid one, or its netmask is bad.</summary>
        Invalid,
    }

    public static ParseOutcome TryParse(string text, out IpNetwork? network, out string? problem)
    {
        network = null;
        problem = null;
        var slash = text.IndexOf('/');
        var address = slash < 0 ? text : text[..slash];
        var mask = slash < 0 ? null : text[(slash + 1)..];
        if (!LooksLikeAddress(address))
        {
            return ParseOutcome.NotAnAddress;
        }

        network = address.Contains(':') ? ParseIPv6(text, address, mask, out problem) : ParseIPv4(text, address, mask, out problem);
        return network is null ? ParseOutcome.Invalid : ParseOutcome.Parsed;
    }

    /// <summary>Whether the client is in this network; an IPv4-mapped IPv6 client (<c>::ffff:10.1.2.3</c>, what a
    /// dual-stack socket reports) is compared as the IPv4 address it carries, as <c>apr_ipsubnet_test</c> does.</summary>
    public bool Contains(IPAddress client)
    {
        var bytes = Normalize(client).GetAddressBytes();
        if (bytes.Length != _network.Length)
        {
            return false;
        }

        for (var i = 0; i < bytes.Length; i++)
        {
            if ((bytes[i] & _mask[i]) != _network[i])
            {
                return false;
            }
        }

        return true;
    }

    public static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    public override string ToString() => Text;

    /// <summary>APR's <c>looks_like_ip</c>: any colon means IPv6 was meant; otherwise only digits and dots.</summary>
    private static bool LooksLikeAddress(string text) =>
        text.Length > 0 && (text.Contains(':') || text.All(c => c is '.' or (>= '0' and <= '9')));

    private static IpNetwork? ParseIPv4(string text, string address, string? mask, out string? problem)
    {
        problem = $"'{text}' is not an IP address or network";
        var octets = address.Split('.');
        // A trailing dot ("10.1.") is the legacy spelling of a partial address; only without a mask.
        var count = octets.Length > 1 && octets[^1].Length == 0 && mask is null ? octets.Length - 1 : octets.Length;
        if (count > 4 || (mask is not null && count != 4))
        {
            return null;
        }

        var bytes = new byte[4];
        for (var i = 0; i < count; i++)
        {
            if (octets[i].Length is 0 or > 3 || !int.TryParse(octets[i], out var value) || value > 255)
            {
                return null;
            }

            bytes[i] = (byte)value;
        }

        byte[] maskBytes;
        if (mask is null)
        {
            maskBytes = new byte[4];
            for (var i = 0; i < count; i++)
            {
                maskBytes[i] = 0xFF;
            }
        }
        else if (ParsePrefixLength(mask, 32) is { } bits)
        {
            maskBytes = PrefixMask(bits, 4);
        }
        else if (mask.Split('.') is { Length: 4 } parts && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit) && int.Parse(p) <= 255))
        {
            maskBytes = parts.Select(p => (byte)int.Parse(p)).ToArray();
        }
        else
        {
            problem = $"'{text}' has an invalid netmask '{mask}'";
            return null;
        }

        problem = null;
        return new IpNetwork(text, bytes, maskBytes);
    }

    private static IpNetwork? ParseIPv6(string text, string address, string? mask, out string? problem)
    {
        problem = $"'{text}' is not an IP address or network";
        if (address.Contains('%') || !IPAddress.TryParse(address, out var parsed) || parsed.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return null;
        }

        var bits = 128;
        if (mask is not null)
        {
            if (ParsePrefixLength(mask, 128) is not { } length)
            {
                problem = $"'{text}' has an invalid netmask '{mask}'";
                return null;
            }

            bits = length;
        }

        problem = null;
        if (parsed.IsIPv4MappedToIPv6 && bits >= 96)
        {
            // ::ffff:10.0.0.0/104 is 10.0.0.0/8: clients are compared as IPv4, so the rule must be too.
            return new IpNetwork(text, parsed.MapToIPv4().GetAddressBytes(), PrefixMask(bits - 96, 4));
        }

        return new IpNetwork(text, parsed.GetAddressBytes(), PrefixMask(bits, 16));
    }

    /// <summary>1 to <paramref name="max"/>; APR rejects /0 ("bits > 0"), so a mistyped mask cannot silently mean everyone.</summary>
    private static int? ParsePrefixLength(string mask, int max) =>
        mask.Length is > 0 and <= 3 && mask.All(char.IsAsciiDigit) && int.Parse(mask) is var bits && bits > 0 && bits <= max ? bits : null;

    private static byte[] PrefixMask(int bits, int length)
    {
        var mask = new byte[length];
        for (var i = 0; i < length; i++)
        {
            var take = Math.Clamp(bits - (i * 8), 0, 8);
            mask[i] = (byte)(0xFF << (8 - take));
        }

        return mask;
    }
}
