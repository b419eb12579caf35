using System.Text;

namespace WsgiHost.Access;

/// <summary>
/// The wildcards of Directory, Files and Location patterns as <c>apr_fnmatch</c> with <c>APR_FNM_PATHNAME</c>
/// reads them: <c>*</c> and <c>?</c> never match <c>/</c>, <c>[abc]</c>, <c>[a-z]</c>, <c>[!x]</c> or <c>[^x]</c>
/// match one character, <c>\x</c> is a literal x. Unlike Include's wildcards, a leading dot is not special.
/// </summary>
internal static class GlobPattern
{
    public static bool HasWildcards(string text) => Configuration.Syntax.WildcardPattern.HasWildcards(text);

    /// <summary>A .NET regex body (no anchors) matching what the glob matches.</summary>
    public static string ToRegex(string glob)
    {
        var regex = new StringBuilder();
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            switch (c)
            {
                case '*':
                    regex.Append("[^/]*");
                    break;
                case '?':
                    regex.Append("[^/]");
                    break;
                case '\\' when i + 1 < glob.Length:
                    regex.Append(System.Text.RegularExpressions.Regex.Escape(glob[++i].ToString()));
                    break;
                case '[' when glob.IndexOf(']', i + 2 > glob.Length ? glob.Length : i + 2) is var close and > 0:
                    regex.Append(Class(glob[(i + 1)..close]));
                    i = close;
                    break;
                default:
                    regex.Append(System.Text.RegularExpressions.Regex.Escape(c.ToString()));
                    break;
            }
        }

        return regex.ToString();
    }

    /// <summary>A bracket expression's content (a leading <c>]</c> is literal, as the IndexOf above allows).</summary>
    private static string Class(string content)
    {
        var result = new StringBuilder("[");
        var i = 0;
        if (content.Length > 1 && content[0] is '!' or '^')
        {
            result.Append('^');
            i = 1;
        }

        for (; i < content.Length; i++)
        {
            var c = content[i];
            if (c == '\\' && i + 1 < content.Length)
            {
                result.Append('\\').Append(content[++i]);
            }
            else
            {
                result.Append(c is '[' or ']' or '^' or '\\' ? "\\" + c : c.ToString());
            }
        }

        // .NET class subtraction: a class never matches a slash either (APR_FNM_PATHNAME).
        return result.Append("-[/]]").ToString();
    }
}
