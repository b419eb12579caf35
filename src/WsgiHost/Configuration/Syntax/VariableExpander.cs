using System.Text;

namespace WsgiHost.Configuration.Syntax;

/// <summary>
/// Substitutes <c>${NAME}</c> in a whole line before it is split into words, as Apache's <c>ap_resolve_env</c>
/// does (so a value with spaces gives several words unless the reference is quoted). The substituted text is
/// not scanned again. An unknown name is left as written and reported.
/// </summary>
internal static class VariableExpander
{
    public static string Expand(string text, Func<string, string?> lookup, List<string> undefined)
    {
        var start = text.IndexOf("${", StringComparison.Ordinal);
        if (start < 0)
        {
            return text;
        }

        var result = new StringBuilder(text.Length);
        var position = 0;
        while (start >= 0)
        {
            var end = text.IndexOf('}', start + 2);
            if (end < 0)
            {
                break;
            }

            result.Append(text, position, start - position);
            var name = text[(start + 2)..end];
            var value = lookup(name);
            if (value is null)
            {
                undefined.Add(name);
                result.Append(text, start, end + 1 - start);
            }
            else
            {
                result.Append(value);
            }

            position = end + 1;
            start = text.IndexOf("${", position, StringComparison.Ordinal);
        }

        result.Append(text, position, text.Length - position);
        return result.ToString();
    }
}
