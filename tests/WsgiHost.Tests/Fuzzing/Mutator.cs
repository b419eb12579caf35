using System.Text;

namespace WsgiHost.Tests.Fuzzing;

/// <summary>Mutations of a valid input, as a fuzzer makes them: of bytes for frames, of lines and tokens for text.</summary>
internal static class Mutator
{
    /// <summary>Flips, overwrites, inserts, deletes and truncates bytes.</summary>
    public static byte[] Bytes(Random random, byte[] input)
    {
        var bytes = new List<byte>(input);
        int rounds = random.Next(1, 6);
        for (int r = 0; r < rounds; r++)
        {
            int at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(7))
            {
                case 0 when bytes.Count > 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 2:
                    bytes.Insert(at, (byte)random.Next(256));
                    break;
                case 3 when bytes.Count > 0:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, random.Next(1, 16)));
                    break;
                case 4:
                    // Truncation: a frame cut anywhere.
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 5 when bytes.Count >= 4:
                    // An oversized or boundary length where a length field may be.
                    uint[] lengths = [0, 1, 4, 5, 0xFFFF, 0x10000, 1024 * 1024, 1024 * 1024 + 1, 16 * 1024 * 1024 + 1, 0x7FFF_FFFF, 0xFFFF_FFFE, 0xFFFF_FFFF];
                    uint value = lengths[random.Next(lengths.Length)];
                    int pos = random.Next(bytes.Count - 3);
                    for (int k = 0; k < 4; k++)
                    {
                        bytes[pos + k] = (byte)(value >> (8 * k));
                    }
                    break;
                default:
                    bytes.AddRange(Enumerable.Range(0, random.Next(1, 64)).Select(_ => (byte)random.Next(256)));
                    break;
            }
        }
        return [.. bytes];
    }

    private static readonly string[] Fragments =
    [
        "<VirtualHost *:80>", "</VirtualHost>", "<Directory />", "</Directory>", "<Location /x>", "</Location>", "<Files \"a\">", "</Files>",
        "<IfModule mod_wsgi.c>", "</IfModule>", "<IfDefine X>", "</IfDefine>", "<IfDefine !X>", "<DirectoryMatch ^/(>", "<LocationMatch [>",
        "Define X", "Define ${X}", "${UNDEFINED}", "${", "}", "\"", "'", "\\", "\\\n", "#", "%{", "%{ENV:", "%{GLOBAL}", "%{RESOURCE}",
        "99999999999999999999", "-1", "0", "2147483648", "1e9", "0x10", "NaN", "\u00e9", "\u202e", "\ud83d\ude00", "\0", "\t", "\r", "=",
        "processes=", "threads=0", "threads=99999999999", "python-path=", "Require all denied", "Require ip 300.1.1.1/99", "Require host",
        // Relative: a truncated "Include /" would read the whole file system (devices and /proc included).
        "Include nonexistent/*.conf", "IncludeOptional nothing-*.conf", "WSGIScriptAlias / /nonexistent.wsgi", "WSGIDaemonProcess",
        "WSGIProcessGroup %{GLOBAL}", "Listen 70000", "Listen [::1", "ServerName", "LogFormat \"%{", "CustomLog", "ErrorLog \"|\"",
        "Alias", "AliasMatch ^/(.*)$", "LimitRequestBody", "LimitRequestFields", "LimitRequestFieldSize", "LimitRequestLine",
        "RequestReadTimeout", "header=20-40,MinRate=500", "body=", "MinRate=0", "Timeout", "Order allow,deny", "Allow from",
        "Satisfy any", "<RequireAny>", "</RequireAny>", "<RequireAll>", "</RequireAll>", "<RequireNone>", "SetHandler", "Options -Indexes +",
    ];

    /// <summary>
    /// Deletes, duplicates and swaps lines, unbalances sections, inserts configuration
    /// fragments, huge numbers, unicode and very long lines, and flips characters.
    /// </summary>
    public static string Text(Random random, string input)
    {
        var lines = input.Split('\n').ToList();
        int rounds = random.Next(1, 6);
        for (int r = 0; r < rounds; r++)
        {
            int at = random.Next(lines.Count);
            switch (random.Next(10))
            {
                case 0 when lines.Count > 1:
                    lines.RemoveAt(at);
                    break;
                case 1:
                    lines.Insert(at, lines[at]);
                    break;
                case 2:
                    lines.Insert(at, Fragments[random.Next(Fragments.Length)]);
                    break;
                case 3:
                    lines[at] = Insert(random, lines[at], Fragments[random.Next(Fragments.Length)]);
                    break;
                case 4:
                    lines[at] = Insert(random, lines[at], new string((char)random.Next(32, 127), random.Next(1000, 100_000)));
                    break;
                case 5 when lines[at].Length > 0:
                    var chars = lines[at].ToCharArray();
                    chars[random.Next(chars.Length)] = (char)random.Next(0, 0x3000);
                    lines[at] = new string(chars);
                    break;
                case 6:
                    lines[at] = HugeNumbers(random, lines[at]);
                    break;
                case 7 when lines.Count > 1:
                    int other = random.Next(lines.Count);
                    (lines[at], lines[other]) = (lines[other], lines[at]);
                    break;
                case 8:
                    // Nesting deeper than any real file.
                    int depth = random.Next(1, 300);
                    lines.InsertRange(at, Enumerable.Repeat("<IfModule mod_wsgi.c>", depth));
                    break;
                default:
                    lines[at] = lines[at].Length == 0 ? lines[at] : lines[at][..random.Next(lines[at].Length)];
                    break;
            }
        }
        return string.Join('\n', lines);
    }

    private static string Insert(Random random, string line, string fragment) => line.Insert(random.Next(line.Length + 1), fragment);

    private static string HugeNumbers(Random random, string line)
    {
        var result = new StringBuilder(line.Length);
        foreach (char c in line)
        {
            result.Append(char.IsAsciiDigit(c) && random.Next(2) == 0 ? "9999999999999999999999" : c.ToString());
        }
        return result.ToString();
    }
}
