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

        return Match(pattern, name);
    }

    /// <summary>
    /// The classic single-backtrack match: on a mismatch, the last <c>*</c> takes one more character and
    /// matching resumes after it. Every other token matches one character, so that is enough, and the time
    /// stays proportional to pattern times name (a recursive try of every split was exponential in the
    /// number of stars).
    /// </summary>
    private static bool Match(string pattern, string name)
    {
        int p = 0, n = 0;
        int afterStar = -1, starFrom = 0;
        while (n < name.Length || p < pattern.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                while (p < pattern.Length && pattern[p] == '*')
                {
                    p++;
                }

                afterStar = p;
                starFrom = n;
                continue;
            }

            if (p < pattern.Length && n < name.Length && MatchOne(pattern, p, name[n], out int next))
            {
                p = next;
                n++;
                continue;
            }

            if (afterStar < 0 || starFrom >= name.Length)
            {
                return false;
            }

            starFrom++;
            n = starFrom;
            p = afterStar;
        }

        return true;
    }

    /// <summary>Whether the token at <paramref name="p"/> (<c>?</c>, a class, an escaped or plain character) matches <paramref name="c"/>; <paramref name="next"/> is the token after it.</summary>
    private static bool MatchOne(string pattern, int p, char c, out int next)
    {
        if (pattern[p] == '?')
        {
            next = p + 1;
            return true;
        }

        if (pattern[p] == '[' && TryMatchClass(pattern, p, c, out next, out bool matched))
        {
            return matched;
        }

        if (pattern[p] == '\\' && p + 1 < pattern.Length)
        {
            p++;
        }

        next = p + 1;
        return pattern[p] == c;
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
