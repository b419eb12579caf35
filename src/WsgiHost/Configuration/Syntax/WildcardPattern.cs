namespace WsgiHost.Configuration.Syntax;

/// <summary>
/// Shell wildcards within one path segment, as Apache's Include uses them (<c>apr_fnmatch</c> with
/// <c>APR_FNM_PERIOD</c>): <c>*</c>, <c>?</c>, <c>[abc]</c>, <c>[a-z]</c>, <c>[!x]</c> or <c>[^x]</c>, and
/// <c>\x</c> for a literal x. A leading dot in a name is matched only by a literal dot.
/// </summary>
internal static class WildcardPattern
{
    /// <summary>Whether the text has a wildcard (a <c>[</c> only with a later <c>]</c>), as <c>apr_fnmatch_test</c>.</summary>
    public static bool HasWildcards(string text)
    {
        var open = false;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '*' or '?':
                    return true;
                case '\\':
                    i++;
                    break;
                case '[':
                    open = true;
                    break;
                case ']' when open:
                    return true;
            }
        }

        return false;
    }

    public static bool IsMatch(string pattern, string name)
    {
        if (name.StartsWith('.') && !(pattern.StartsWith('.') || pattern.StartsWith("\\.", StringComparison.Ordinal)))
        {
            return false;
        }

        return Match(pattern, 0, name, 0);
    }

    private static bool Match(string pattern, int p, string name, int n)
    {
        while (p < pattern.Length)
        {
            var c = pattern[p];
            if (c == '*')
            {
                while (p < pattern.Length && pattern[p] == '*')
                {
                    p++;
                }

                if (p == pattern.Length)
                {
                    return true;
                }

                for (var k = n; k <= name.Length; k++)
                {
                    if (Match(pattern, p, name, k))
                    {
                        return true;
                    }
                }

                return false;
            }

            if (n == name.Length)
            {
                return false;
            }

            if (c == '?')
            {
                p++;
                n++;
                continue;
            }

            if (c == '[' && TryMatchClass(pattern, p, name[n], out var next, out var matched))
            {
                if (!matched)
                {
                    return false;
                }

                p = next;
                n++;
                continue;
            }

            if (c == '\\' && p + 1 < pattern.Length)
            {
                p++;
                c = pattern[p];
            }

            if (c != name[n])
            {
                return false;
            }

            p++;
            n++;
        }

        return n == name.Length;
    }

    /// <summary>Matches <paramref name="c"/> against the class starting at <paramref name="open"/>;
    /// false when the <c>[</c> has no closing <c>]</c> and so is an ordinary character.</summary>
    private static bool TryMatchClass(string pattern, int open, char c, out int next, out bool matched)
    {
        var i = open + 1;
        var negate = i < pattern.Length && pattern[i] is '!' or '^';
        if (negate)
        {
            i++;
        }

        matched = false;
        var first = true;
        while (i < pattern.Length && (pattern[i] != ']' || first))
        {
            first = false;
            var low = Literal(pattern, ref i);
            var high = low;
            if (i + 1 < pattern.Length && pattern[i] == '-' && pattern[i + 1] != ']')
            {
                i++;
                high = Literal(pattern, ref i);
            }

            if (c >= low && c <= high)
            {
                matched = true;
            }
        }

        if (i >= pattern.Length)
        {
            next = open;
            return false;
        }

        matched ^= negate;
        next = i + 1;
        return true;
    }

    /// <summary>The character at <paramref name="i"/>, or the one after a backslash; moves past it.</summary>
    private static char Literal(string pattern, ref int i)
    {
        if (pattern[i] == '\\' && i + 1 < pattern.Length)
        {
            i++;
        }

        return pattern[i++];
    }
}
