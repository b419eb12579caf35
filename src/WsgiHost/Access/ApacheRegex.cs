using System.Text;
using System.Text.RegularExpressions;

namespace WsgiHost.Access;

/// <summary>
/// The regular expressions of DirectoryMatch, FilesMatch and LocationMatch. Apache compiles them with PCRE;
/// .NET's syntax is close (groups, <c>(?i)</c>, <c>(?&lt;name&gt;)</c>, lookaround, <c>\d</c>), except that .NET has
/// no POSIX bracket classes: <c>[[:digit:]]</c> would silently become the set "[:digt" followed by "]". Those are
/// translated; anything else .NET rejects is reported as an invalid expression rather than guessed at.
/// Matching has a timeout so one pathological pattern cannot pin a request thread; a timeout throws
/// <see cref="RegexMatchTimeoutException"/> rather than skipping a section that might deny access.
/// </summary>
internal static class ApacheRegex
{
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// The longest pattern read; no real one comes near it. .NET's
    /// parser takes seconds over a hundred thousand escapes, so a mangled line must not reach it.
    /// </summary>
    public const int MaxPatternLength = 8192;

    private static readonly Dictionary<string, string> PosixClasses = new(StringComparer.Ordinal)
    {
        ["alpha"] = "a-zA-Z",
        ["digit"] = "0-9",
        ["alnum"] = "a-zA-Z0-9",
        ["upper"] = "A-Z",
        ["lower"] = "a-z",
        ["space"] = @"\s",
        ["blank"] = @" \t",
        ["punct"] = @"!-/:-@\[-`{-~",
        ["xdigit"] = "0-9A-Fa-f",
        ["word"] = @"\w",
        ["cntrl"] = @"\x00-\x1f\x7f",
        ["print"] = @"\x20-\x7e",
        ["graph"] = @"\x21-\x7e",
    };

    /// <summary>The compiled expression, or null with the reason it is invalid.</summary>
    public static Regex? TryCreate(string pattern, out string? problem)
    {
        problem = null;
        if (pattern.Length > MaxPatternLength)
        {
            problem = $"the expression is {pattern.Length} characters long, more than the {MaxPatternLength} WsgiHost reads";
            return null;
        }
        var translated = TranslatePosixClasses(pattern, out var badClass);
        if (badClass is not null)
        {
            problem = $"unknown character class [:{badClass}:]";
            return null;
        }

        try
        {
            return new Regex(translated, RegexOptions.CultureInvariant | RegexOptions.Compiled, MatchTimeout);
        }
        catch (ArgumentException e)
        {
            problem = e.Message;
            return null;
        }
    }

    /// <summary>Replaces <c>[:name:]</c> inside bracket expressions with the equivalent .NET ranges.</summary>
    private static string TranslatePosixClasses(string pattern, out string? badClass)
    {
        badClass = null;
        if (!pattern.Contains("[:", StringComparison.Ordinal))
        {
            return pattern;
        }

        var result = new StringBuilder(pattern.Length);
        var inClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                result.Append(c).Append(pattern[++i]);
                continue;
            }

            if (!inClass)
            {
                result.Append(c);
                if (c == '[')
                {
                    inClass = true;
                    // A ']' right after '[' or '[^' is a literal member, not the end.
                    if (i + 1 < pattern.Length && pattern[i + 1] == '^')
                    {
                        result.Append(pattern[++i]);
                    }

                    if (i + 1 < pattern.Length && pattern[i + 1] == ']')
                    {
                        result.Append(@"\]");
                        i++;
                    }
                }

                continue;
            }

            if (c == '[' && i + 1 < pattern.Length && pattern[i + 1] == ':')
            {
                var end = pattern.IndexOf(":]", i + 2, StringComparison.Ordinal);
                if (end > 0)
                {
                    var name = pattern[(i + 2)..end];
                    if (!PosixClasses.TryGetValue(name, out var ranges))
                    {
                        badClass = name;
                        return pattern;
                    }

                    result.Append(ranges);
                    i = end + 1;
                    continue;
                }
            }

            if (c == ']')
            {
                inClass = false;
            }

            result.Append(c);
        }

        return result.ToString();
    }

    /// <summary>A substitution of Apache's (ap_pregsub: Header edit, RedirectMatch, SetEnvIf values) in .NET's syntax: <c>$0</c>-<c>$9</c> stay groups, any other '$' is literal, a backslash takes the next character as it is (ap_pregsub).</summary>
    public static string Substitution(string apache)
    {
        var result = new StringBuilder(apache.Length + 4);
        for (int i = 0; i < apache.Length; i++)
        {
            char c = apache[i];
            if (c == '$' && i + 1 < apache.Length && char.IsAsciiDigit(apache[i + 1]))
            {
                // ${n} so a digit after the group ($10 in Apache is group 1 then '0') stays literal.
                result.Append("${").Append(apache[++i]).Append('}');
            }
            else if (c == '\\' && i + 1 < apache.Length)
            {
                char next = apache[++i];
                result.Append(next == '$' ? "$$" : next.ToString());
            }
            else
            {
                result.Append(c == '$' ? "$$" : c.ToString());
            }
        }
        return result.ToString();
    }
}
