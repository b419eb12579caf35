using System.Text;

namespace WsgiHost.Configuration.Syntax;

/// <summary>A line that carries a directive or tag: continuations joined, whitespace trimmed.</summary>
/// <param name="Line">The 1-based number of its first physical line.</param>
internal readonly record struct LogicalLine(string Text, int Line);

/// <summary>
/// Splits a configuration file into logical lines as Apache's <c>ap_cfg_getline</c> does: a backslash that is
/// the last character before the line end (LF or CRLF) is removed and the next line appended as is;
/// leading and trailing whitespace is trimmed; blank lines and lines starting with <c>#</c> are skipped.
/// A <c>#</c> anywhere else is an ordinary character.
/// </summary>
internal static class LineReader
{
    public static List<LogicalLine> Read(string text)
    {
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }

        var lines = new List<LogicalLine>();
        var joined = new StringBuilder();
        var firstLine = 0;
        var continuing = false;
        var physical = text.Split('\n');
        // A final newline leaves an empty last element that is not a line.
        var count = physical.Length > 0 && physical[^1].Length == 0 ? physical.Length - 1 : physical.Length;

        for (var i = 0; i < count; i++)
        {
            var line = physical[i];
            if (line.EndsWith('\r'))
            {
                line = line[..^1];
            }

            if (!continuing)
            {
                joined.Clear();
                firstLine = i + 1;
            }

            if (line.EndsWith('\\'))
            {
                joined.Append(line, 0, line.Length - 1);
                continuing = true;
                continue;
            }

            joined.Append(line);
            continuing = false;
            Add(lines, joined, firstLine);
        }

        if (continuing)
        {
            Add(lines, joined, firstLine);
        }

        return lines;
    }

    private static void Add(List<LogicalLine> lines, StringBuilder joined, int firstLine)
    {
        var text = joined.ToString().Trim(Whitespace.Characters);
        if (text.Length > 0 && text[0] != '#')
        {
            lines.Add(new LogicalLine(text, firstLine));
        }
    }
}
