using System.Globalization;
using System.Text;

namespace WsgiHost.Logging;

/// <summary>
/// A strftime(3) pattern (the C locale, as Apache's %{format}t uses it) compiled once into
/// a list of items, so formatting a time is a walk over the list with no parsing. Supports
/// the C99/POSIX conversions plus the glibc ones Apache configs use (%e %k %l %P %s %G %g
/// %V), and the glibc flags '-' (no padding), '_' (spaces), '0' (zeros) and '^' (upper case)
/// with an optional width; E and O modifiers are accepted and ignored, as in the C locale.
/// </summary>
internal sealed class StrftimeFormat
{
    internal static readonly string[] DayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
    internal static readonly string[] MonthNames =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    private readonly Item[] _items;

    private StrftimeFormat(Item[] items) => _items = items;

    /// <summary>Compiles <paramref name="pattern"/>; on failure <paramref name="error"/> says why.</summary>
    public static bool TryParse(string pattern, out StrftimeFormat? format, out string? error)
    {
        var items = new List<Item>();
        var literal = new StringBuilder();
        format = null;
        error = null;
        for (int i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] != '%')
            {
                literal.Append(pattern[i]);
                continue;
            }
            int start = i++;
            char flag = '\0';
            bool upper = false;
            for (; i < pattern.Length && pattern[i] is '-' or '_' or '0' or '^' or '#'; i++)
            {
                // '^' changes case and '#' (swap case) is treated alike; the others pick the padding.
                if (pattern[i] is '^' or '#')
                {
                    upper = true;
                }
                else
                {
                    flag = pattern[i];
                }
            }
            int width = 0;
            while (i < pattern.Length && char.IsAsciiDigit(pattern[i]))
            {
                width = Math.Min(width * 10 + (pattern[i++] - '0'), 64);
            }
            if (i < pattern.Length && pattern[i] is 'E' or 'O')
            {
                i++;
            }
            if (i >= pattern.Length)
            {
                error = $"'{pattern[start..]}' at the end of the time format has no conversion letter";
                return false;
            }
            char conversion = pattern[i];
            if (conversion == '%')
            {
                literal.Append('%');
                continue;
            }
            if (conversion is 'n' or 't')
            {
                literal.Append(conversion == 'n' ? '\n' : '\t');
                continue;
            }
            if (!IsKnown(conversion))
            {
                error = $"the time format's conversion %{conversion} is not a strftime conversion this server knows";
                return false;
            }
            Flush(items, literal);
            Expand(items, conversion, flag, width, upper);
        }
        Flush(items, literal);
        format = new StrftimeFormat([.. items]);
        return true;
    }

    public void Append(StringBuilder output, DateTimeOffset time)
    {
        DateTime t = time.DateTime;
        foreach (Item item in _items)
        {
            if (item.Literal != null)
            {
                output.Append(item.Literal);
                continue;
            }
            switch (item.Conversion)
            {
                case 'a': Text(output, item, DayNames[(int)t.DayOfWeek].AsSpan(0, 3)); break;
                case 'A': Text(output, item, DayNames[(int)t.DayOfWeek]); break;
                case 'b' or 'h': Text(output, item, MonthNames[t.Month - 1].AsSpan(0, 3)); break;
                case 'B': Text(output, item, MonthNames[t.Month - 1]); break;
                case 'C': Number(output, item, t.Year / 100, 2, '0'); break;
                case 'd': Number(output, item, t.Day, 2, '0'); break;
                case 'e': Number(output, item, t.Day, 2, ' '); break;
                case 'g': Number(output, item, ISOWeek.GetYear(t) % 100, 2, '0'); break;
                case 'G': Number(output, item, ISOWeek.GetYear(t), 1, '0'); break;
                case 'H': Number(output, item, t.Hour, 2, '0'); break;
                case 'I': Number(output, item, Hour12(t), 2, '0'); break;
                case 'j': Number(output, item, t.DayOfYear, 3, '0'); break;
                case 'k': Number(output, item, t.Hour, 2, ' '); break;
                case 'l': Number(output, item, Hour12(t), 2, ' '); break;
                case 'm': Number(output, item, t.Month, 2, '0'); break;
                case 'M': Number(output, item, t.Minute, 2, '0'); break;
                case 'p': Text(output, item, t.Hour < 12 ? "AM" : "PM"); break;
                case 'P': Text(output, item, t.Hour < 12 ? "am" : "pm"); break;
                case 's': Number(output, item, time.ToUnixTimeSeconds(), 1, '0'); break;
                case 'S': Number(output, item, t.Second, 2, '0'); break;
                case 'u': Number(output, item, t.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)t.DayOfWeek, 1, '0'); break;
                case 'U': Number(output, item, (t.DayOfYear - 1 + 7 - (int)t.DayOfWeek) / 7, 2, '0'); break;
                case 'V': Number(output, item, ISOWeek.GetWeekOfYear(t), 2, '0'); break;
                case 'w': Number(output, item, (int)t.DayOfWeek, 1, '0'); break;
                case 'W': Number(output, item, (t.DayOfYear - 1 + 7 - ((int)t.DayOfWeek + 6) % 7) / 7, 2, '0'); break;
                case 'y': Number(output, item, t.Year % 100, 2, '0'); break;
                case 'Y': Number(output, item, t.Year, 1, '0'); break;
                case 'z': AppendOffset(output, time.Offset); break;
                // Only the offset is known, not the zone's name; UTC is the one name it implies.
                case 'Z':
                    if (time.Offset == TimeSpan.Zero)
                    {
                        output.Append("UTC");
                    }
                    else
                    {
                        AppendOffset(output, time.Offset);
                    }
                    break;
            }
        }
    }

    /// <summary>"+hhmm" or "-hhmm", as in %z and the CLF time.</summary>
    internal static void AppendOffset(StringBuilder output, TimeSpan offset)
    {
        output.Append(offset < TimeSpan.Zero ? '-' : '+');
        int minutes = Math.Abs((int)offset.TotalMinutes);
        AppendTwoDigits(output, minutes / 60);
        AppendTwoDigits(output, minutes % 60);
    }

    internal static void AppendTwoDigits(StringBuilder output, int value) =>
        output.Append((char)('0' + value / 10 % 10)).Append((char)('0' + value % 10));

    private static bool IsKnown(char c) => "aAbBcCdDeFgGhHIjklmMpPrRsSTuUVwWxXyYzZ".Contains(c);

    // The composite conversions are their C-locale definitions, expanded at compile time.
    private static void Expand(List<Item> items, char conversion, char flag, int width, bool upper)
    {
        string? composite = conversion switch
        {
            'c' => "a b e H:M:S Y",
            'D' or 'x' => "m/d/y",
            'F' => "Y-m-d",
            'r' => "I:M:S p",
            'R' => "H:M",
            'T' or 'X' => "H:M:S",
            _ => null,
        };
        if (composite == null)
        {
            items.Add(new Item(null, conversion, flag, width, upper));
            return;
        }
        foreach (char c in composite)
        {
            items.Add(char.IsAsciiLetter(c) ? new Item(null, c, '\0', 0, upper) : new Item(c.ToString(), '\0', '\0', 0, false));
        }
    }

    private static void Flush(List<Item> items, StringBuilder literal)
    {
        if (literal.Length > 0)
        {
            items.Add(new Item(literal.ToString(), '\0', '\0', 0, false));
            literal.Clear();
        }
    }

    private static int Hour12(DateTime t) => t.Hour % 12 == 0 ? 12 : t.Hour % 12;

    private static void Text(StringBuilder output, in Item item, ReadOnlySpan<char> text)
    {
        output.Append(' ', Math.Max(0, item.Width - text.Length));
        if (!item.Upper)
        {
            output.Append(text);
            return;
        }
        foreach (char c in text)
        {
            output.Append(char.ToUpperInvariant(c));
        }
    }

    private static void Number(StringBuilder output, in Item item, long value, int defaultWidth, char defaultPad)
    {
        char pad = item.Flag switch { '-' => '\0', '_' => ' ', '0' => '0', _ => defaultPad };
        int width = item.Width > 0 ? item.Width : defaultWidth;
        int digits = 1;
        for (long rest = Math.Abs(value / 10); rest > 0; rest /= 10)
        {
            digits++;
        }
        if (pad != '\0' && digits < width)
        {
            output.Append(pad, width - digits);
        }
        output.Append(value);
    }

    /// <summary>A literal run, or one conversion with its flag ('-', '_', '0' or none) and width.</summary>
    private readonly record struct Item(string? Literal, char Conversion, char Flag, int Width, bool Upper);
}
