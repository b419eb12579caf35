using System.Globalization;
using System.Text;

namespace WsgiHost.Metadata;

/// <summary>
/// A Header or RequestHeader value with mod_headers' format specifiers: <c>%t</c> (the time the
/// request was received, <c>t=</c> and microseconds since the epoch), <c>%D</c> (the time from
/// then to this header, <c>D=</c> and microseconds), <c>%{VAR}e</c> (a request variable),
/// <c>%{VAR}s</c> (an SSL variable), <c>%%</c>. A missing variable reads "(null)", as in Apache.
/// A value without '%' is kept as one string and costs nothing per request.
/// </summary>
internal sealed class HeaderValueFormat
{
    private enum PartKind { Literal, ReceivedTime, Duration, Variable, SslVariable }

    private readonly record struct Part(PartKind Kind, string Text);

    private readonly Part[] _parts;

    private HeaderValueFormat(string text, Part[] parts)
    {
        Text = text;
        _parts = parts;
    }

    /// <summary>The value as written.</summary>
    public string Text { get; }

    /// <summary>The value with its specifiers read, or null with the reason it cannot be.</summary>
    public static HeaderValueFormat? Parse(string text, out string? problem)
    {
        problem = null;
        var parts = new List<Part>();
        var literal = new StringBuilder();
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] != '%')
            {
                literal.Append(text[i]);
                continue;
            }
            if (++i == text.Length)
            {
                problem = "the value ends in a lone '%'";
                return null;
            }
            string? argument = null;
            if (text[i] == '{')
            {
                int close = text.IndexOf('}', i);
                if (close < 0)
                {
                    problem = "a '%{' has no closing '}'";
                    return null;
                }
                argument = text[(i + 1)..close];
                i = close + 1;
                if (i == text.Length)
                {
                    problem = $"'%{{{argument}}}' is not followed by e or s";
                    return null;
                }
            }
            PartKind? kind = (text[i], argument) switch
            {
                ('%', null) => PartKind.Literal,
                ('t', null) => PartKind.ReceivedTime,
                ('D', null) => PartKind.Duration,
                ('e', not null) => PartKind.Variable,
                ('s', not null) => PartKind.SslVariable,
                _ => null,
            };
            if (kind == null)
            {
                problem = text[i] is 'l' or 'i' or 'b'
                    ? $"'%{text[i]}' (the server's load, from mod_status) is not supported"
                    : $"'%{(argument != null ? "{" + argument + "}" : "")}{text[i]}' is not a header format (use %t, %D, %{{VAR}}e, %{{VAR}}s or %%)";
                return null;
            }
            if (kind == PartKind.Literal)
            {
                literal.Append('%');
                continue;
            }
            if (literal.Length > 0)
            {
                parts.Add(new Part(PartKind.Literal, literal.ToString()));
                literal.Clear();
            }
            parts.Add(new Part(kind.Value, argument ?? ""));
        }
        if (literal.Length > 0 || parts.Count == 0)
        {
            parts.Add(new Part(PartKind.Literal, literal.ToString()));
        }
        return new HeaderValueFormat(text, [.. parts]);
    }

    /// <summary>The value for one request.</summary>
    public string Format(DateTimeOffset received, IReadOnlyList<KeyValuePair<string, string?>> variables, Func<string, string?>? sslVariable)
    {
        if (_parts is [{ Kind: PartKind.Literal } only])
        {
            return only.Text;
        }
        var value = new StringBuilder();
        foreach (Part part in _parts)
        {
            switch (part.Kind)
            {
                case PartKind.Literal:
                    value.Append(part.Text);
                    break;
                case PartKind.ReceivedTime:
                    value.Append("t=").Append((received.ToUnixTimeMilliseconds() * 1000 + received.Ticks / 10 % 1000).ToString(CultureInfo.InvariantCulture));
                    break;
                case PartKind.Duration:
                    value.Append("D=").Append(((DateTimeOffset.Now - received).Ticks / 10).ToString(CultureInfo.InvariantCulture));
                    break;
                case PartKind.Variable:
                    value.Append(RequestVariables.Get(variables, part.Text) ?? "(null)");
                    break;
                case PartKind.SslVariable:
                    value.Append(sslVariable?.Invoke(part.Text) ?? "(null)");
                    break;
            }
        }
        return value.ToString();
    }

    public override string ToString() => Text;
}
