using System.Buffers.Binary;
using System.Numerics;

namespace WsgiHost.Python.Wsgi;

/// <summary>
/// MD5 (RFC 1321), for naming script modules as mod_wsgi does (`_mod_wsgi_` + the md5 of the
/// path) and other short names. Not System.Security.Cryptography.MD5: on Linux that loads
/// OpenSSL (libssl and libcrypto: 3.6 MB of resident pages in every server process and daemon
/// worker, measured with /proc/PID/smaps) only to name a module; a site without TLS never
/// needs OpenSSL otherwise. Not for security: MD5 is broken as a cryptographic hash.
/// </summary>
internal static class Md5
{
    private static readonly int[] s_shifts =
    [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
        5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
        4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
        6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ];

    // floor(abs(sin(i + 1)) * 2^32): RFC 1321's table T.
    private static readonly uint[] s_sines =
    [
        0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
        0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
        0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
        0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
        0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
        0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
        0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
        0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
    ];

    /// <summary>The lowercase hex MD5 of the UTF-8 bytes of text.</summary>
    public static string Hex(string text) => Convert.ToHexStringLower(Hash(System.Text.Encoding.UTF8.GetBytes(text)));

    public static byte[] Hash(ReadOnlySpan<byte> data)
    {
        uint a0 = 0x67452301, b0 = 0xefcdab89, c0 = 0x98badcfe, d0 = 0x10325476;
        // The message, a 0x80 byte, zeros to 56 mod 64, then the length in bits (little-endian).
        int padded = (data.Length + 8) / 64 * 64 + 64;
        byte[] message = new byte[padded];
        data.CopyTo(message);
        message[data.Length] = 0x80;
        BinaryPrimitives.WriteUInt64LittleEndian(message.AsSpan(padded - 8), (ulong)data.Length * 8);
        Span<uint> m = stackalloc uint[16];
        for (int block = 0; block < padded; block += 64)
        {
            for (int i = 0; i < 16; i++)
            {
                m[i] = BinaryPrimitives.ReadUInt32LittleEndian(message.AsSpan(block + i * 4));
            }
            uint a = a0, b = b0, c = c0, d = d0;
            for (int i = 0; i < 64; i++)
            {
                (uint f, int g) = (i / 16) switch
                {
                    0 => ((b & c) | (~b & d), i),
                    1 => ((d & b) | (~d & c), (5 * i + 1) % 16),
                    2 => (b ^ c ^ d, (3 * i + 5) % 16),
                    _ => (c ^ (b | ~d), 7 * i % 16),
                };
                uint rotated = BitOperations.RotateLeft(a + f + s_sines[i] + m[g], s_shifts[i]);
                (a, d, c, b) = (d, c, b, b + rotated);
            }
            a0 += a;
            b0 += b;
            c0 += c;
            d0 += d;
        }
        byte[] digest = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(digest, a0);
        BinaryPrimitives.WriteUInt32LittleEndian(digest.AsSpan(4), b0);
        BinaryPrimitives.WriteUInt32LittleEndian(digest.AsSpan(8), c0);
        BinaryPrimitives.WriteUInt32LittleEndian(digest.AsSpan(12), d0);
        return digest;
    }
}
