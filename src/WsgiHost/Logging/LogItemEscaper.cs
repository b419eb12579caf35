using System.Buffers;
using System.Text;

namespace WsgiHost.Logging;

/// <summary>
/// Apache's escaping of request data in access log lines (ap_escape_logitem), so that a
/// client cannot forge lines or break a quoted field: '"' and '\' get a backslash; \b, \n,
/// \r, \t and \v are written in C notation; every other control or non-ASCII byte becomes
/// \xhh. Apache works on raw bytes; here a character up to U+00FF stands for the byte of the
/// same value (the Latin-1 reading WSGI and HTTP headers use), and anything above is escaped
/// as its UTF-8 bytes, so nothing is lost and the line stays pure ASCII.
/// </summary>
internal static class LogItemEscaper
{
    // Printable ASCII minus the two characters that would end or confuse a quoted field.
    private static readonly SearchValues<char> Plain = SearchValues.Create(
        " !#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    public static string Escape(string value)
    {
        if (value.AsSpan().IndexOfAnyExcept(Plain) < 0)
        {
            return value;
        }
        var output = new StringBuilder(value.Length + 16);
        Append(output, value);
        return output.ToString();
    }

    /// <summary>Appends <paramref name="value"/> escaped, without an intermediate string.</summary>
    public static void Append(StringBuilder output, ReadOnlySpan<char> value)
    {
        Span<byte> utf8 = stackalloc byte[4];
        while (true)
        {
            int special = value.IndexOfAnyExcept(Plain);
            if (special < 0)
            {
                output.Append(value);
                return;
            }
            output.Append(value[..special]);
            value = value[special..];
            char c = value[0];
            if (c <= 0xff)
            {
                AppendByte(output, (byte)c);
                value = value[1..];
                continue;
            }
            // Above Latin-1: the UTF-8 bytes of the whole code point (a lone surrogate
            // becomes U+FFFD rather than an unencodable half).
            if (Rune.DecodeFromUtf16(value, out Rune rune, out int used) != OperationStatus.Done)
            {
                rune = Rune.ReplacementChar;
            }
            int length = rune.EncodeToUtf8(utf8);
            foreach (byte b in utf8[..length])
            {
                AppendByte(output, b);
            }
            value = value[Math.Max(used, 1)..];
        }
    }

    /// <summary>Control characters (tab aside), DEL and C1 controls: all the error log escapes.</summary>
    private static readonly SearchValues<char> Controls = SearchValues.Create(
        string.Concat(Enumerable.Range(0, 0x20).Where(c => c != '\t').Concat(Enumerable.Range(0x7f, 0x21)).Select(c => (char)c)));

    /// <summary>
    /// Appends <paramref name="value"/> with its control characters escaped as above, and the
    /// rest as it is: the error log's free text (a traceback, an app's message) stays readable,
    /// quotes and non-ASCII letters included.
    /// </summary>
    public static void AppendControls(StringBuilder output, ReadOnlySpan<char> value)
    {
        int i;
        while ((i = value.IndexOfAny(Controls)) >= 0)
        {
            output.Append(value[..i]);
            AppendByte(output, (byte)value[i]);
            value = value[(i + 1)..];
        }
        output.Append(value);
    }

    private static void AppendByte(StringBuilder output, byte b)
    {
        output.Append('\\');
        switch (b)
        {
            case (byte)'\b': output.Append('b'); break;
            case (byte)'\n': output.Append('n'); break;
            case (byte)'\r': output.Append('r'); break;
            case (byte)'\t': output.Append('t'); break;
            case (byte)'\v': output.Append('v'); break;
            case (byte)'"' or (byte)'\\': output.Append((char)b); break;
            default:
                output.Append('x').Append(HexDigit(b >> 4)).Append(HexDigit(b & 0xf));
                break;
        }
    }

    private static char HexDigit(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
}
