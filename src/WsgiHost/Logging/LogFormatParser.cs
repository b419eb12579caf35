using System.Text;

namespace WsgiHost.Logging;

/// <summary>
/// Reads a mod_log_config format string into parts. The grammar is Apache's: text with the
/// backslash escapes \n \r \t \\ (any other backslash is kept), "%%", and directives of the
/// form '%' [modifiers] letter, where the modifiers may come in any order: '!', '&lt;', '&gt;',
/// status codes separated by ',', and one {argument}.
/// </summary>
internal static class LogFormatParser
{
    public static LogFormatPart[] Parse(string format)
    {
        var parts = new List<LogFormatPart>();
        var literal = new StringBuilder();
        int i = 0;
        while (i < format.Length)
        {
            char c = format[i];
            if (c == '\\' && i + 1 < format.Length && format[i + 1] is '\\' or 'n' or 'r' or 't')
            {
                literal.Append(format[i + 1] switch { 'n' => '\n', 'r' => '\r', 't' => '\t', _ => '\\' });
                i += 2;
            }
            else if (c != '%')
            {
                literal.Append(c);
                i++;
            }
            else if (i + 1 < format.Length && format[i + 1] == '%')
            {
                literal.Append('%');
                i += 2;
            }
            else
            {
                if (literal.Length > 0)
                {
                    parts.Add(LogFormatPart.Text(literal.ToString()));
                    literal.Clear();
                }
                parts.Add(ParseDirective(format, ref i));
            }
        }
        if (literal.Length > 0)
        {
            parts.Add(LogFormatPart.Text(literal.ToString()));
        }
        return [.. parts];
    }

    /// <summary>Reads the directive starting at the '%' at <paramref name="i"/> and moves past it.</summary>
    private static LogFormatPart ParseDirective(string format, ref int i)
    {
        int start = i++;
        bool negated = false;
        List<int>? statuses = null;
        string? argument = null;
        while (true)
        {
            if (i >= format.Length)
            {
                throw Error(format, start, start == format.Length - 1
                    ? "a '%' ends the format without a directive letter after it"
                    : $"'{format[start..]}' ends the format before its directive letter");
            }
            char c = format[i];
            switch (c)
            {
                case '!':
                    negated = !negated;
                    i++;
                    continue;
                // Internal redirects, which these choose between, do not happen here: the one
                // request is both the original and the final one.
                case '<' or '>' or ',':
                    i++;
                    continue;
                case '{':
                    int close = format.IndexOf('}', i + 1);
                    if (close < 0)
                    {
                        throw Error(format, start, $"'{format[start..]}' has a '{{' without its closing '}}'");
                    }
                    argument = format[(i + 1)..close];
                    i = close + 1;
                    continue;
                case >= '0' and <= '9':
                    int digitsStart = i;
                    while (i < format.Length && char.IsAsciiDigit(format[i]))
                    {
                        i++;
                    }
                    string digits = format[digitsStart..i];
                    if (digits.Length != 3 || digits[0] == '0')
                    {
                        throw Error(format, start, $"the status condition {digits} in '{format[start..i]}' is not a three-digit HTTP status");
                    }
                    (statuses ??= []).Add(int.Parse(digits, System.Globalization.CultureInfo.InvariantCulture));
                    continue;
            }

            // Two-letter directives start with '^' (%{Name}^ti, %{Name}^to).
            ReadOnlySpan<char> rest = format.AsSpan(i);
            string directive = rest.StartsWith("^ti", StringComparison.Ordinal) || rest.StartsWith("^to", StringComparison.Ordinal)
                ? format.Substring(i, 3)
                : c.ToString();
            i += directive.Length;
            string text = format[start..i];
            if (negated && statuses == null)
            {
                throw Error(format, start, $"the '!' in '{text}' negates a list of status codes, but none follows it");
            }
            LogFieldWriter writer = LogFields.Create(directive, argument, message => Error(format, start, $"'{text}': {message}"))
                ?? throw Error(format, start, $"'{text}' is not a LogFormat directive");
            return new LogFormatPart(null, writer, statuses?.ToArray(), negated);
        }
    }

    private static FormatException Error(string format, int index, string message) =>
        new($"{message} (at character {index + 1} of the log format \"{format}\")");
}
