using System.Text;

namespace WsgiHost.Configuration.Syntax;

/// <summary>The words of a line, and the quote left open at its end if any.</summary>
internal sealed record TokenizedLine(IReadOnlyList<string> Words, char? UnterminatedQuote);

/// <summary>
/// Splits a line into words as Apache's <c>ap_getword_conf</c> does. Words are separated by whitespace. A word
/// that starts with <c>"</c> or <c>'</c> runs to the same quote and may hold whitespace; inside it a backslash
/// escapes that quote or a backslash. Outside quotes only <c>\\</c> becomes <c>\</c>, and a quote in the middle
/// of a word is an ordinary character. A quoted word ends at its closing quote even if text follows it.
/// </summary>
internal static class ArgumentTokenizer
{
    public static TokenizedLine Split(string text)
    {
        var words = new List<string>();
        char? unterminated = null;
        var i = 0;
        while (true)
        {
            while (i < text.Length && Whitespace.Is(text[i]))
            {
                i++;
            }

            if (i >= text.Length)
            {
                break;
            }

            var quote = text[i];
            if (quote is '"' or '\'')
            {
                var end = i + 1;
                while (end < text.Length && text[end] != quote)
                {
                    end += text[end] == '\\' && end + 1 < text.Length && (text[end + 1] == quote || text[end + 1] == '\\') ? 2 : 1;
                }

                words.Add(Unescape(text, i + 1, end, quote));
                if (end < text.Length)
                {
                    end++;
                }
                else
                {
                    unterminated ??= quote;
                }

                i = end;
            }
            else
            {
                var end = i;
                while (end < text.Length && !Whitespace.Is(text[end]))
                {
                    end++;
                }

                words.Add(Unescape(text, i, end, quote: null));
                i = end;
            }
        }

        return new TokenizedLine(words, unterminated);
    }

    private static string Unescape(string text, int start, int end, char? quote)
    {
        if (text.IndexOf('\\', start, end - start) < 0)
        {
            return text[start..end];
        }

        var result = new StringBuilder(end - start);
        for (var i = start; i < end; i++)
        {
            if (text[i] == '\\' && i + 1 < end && (text[i + 1] == '\\' || text[i + 1] == quote))
            {
                i++;
            }

            result.Append(text[i]);
        }

        return result.ToString();
    }
}
