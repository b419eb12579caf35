using System.Text;
using System.Text.RegularExpressions;

namespace WsgiHost.Routing;

/// <summary>What a rewrite template's %{NAME} reads for one request.</summary>
internal interface IRewriteVariables
{
    /// <summary>A server variable (SERVER_NAME, HTTPS...) or, for <c>HTTP:Name</c>, a request header; "" when absent.</summary>
    string Get(string name);
}

/// <summary>
/// A RewriteCond test string or RewriteRule substitution: text with <c>%{NAME}</c> (the server
/// variables WsgiHost knows, <c>%{HTTP:Header}</c>), <c>$0</c>-<c>$9</c> (the rule's groups) and
/// <c>%0</c>-<c>%9</c> (the last matched condition's), a backslash escaping the next character.
/// </summary>
internal sealed class RewriteTemplate
{
    /// <summary>The server variables a template may name, as mod_rewrite spells them.</summary>
    public static readonly IReadOnlySet<string> Variables = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "HTTPS", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "SERVER_ADDR", "REQUEST_URI", "REQUEST_FILENAME", "REQUEST_SCHEME", "REQUEST_METHOD",
        "QUERY_STRING", "REMOTE_ADDR", "REMOTE_PORT", "THE_REQUEST", "SERVER_PROTOCOL", "HTTP_USER_AGENT", "HTTP_REFERER",
        "HTTP_COOKIE", "HTTP_ACCEPT", "HTTP_FORWARDED",
    };

    private enum Kind { Literal, Variable, RuleGroup, ConditionGroup }

    private readonly (Kind Kind, string Text, int Group)[] _parts;

    private RewriteTemplate(string text, (Kind, string, int)[] parts)
    {
        Text = text;
        _parts = parts;
    }

    public string Text { get; }

    public static RewriteTemplate? Parse(string text, out string? problem)
    {
        problem = null;
        var parts = new List<(Kind, string, int)>();
        var literal = new StringBuilder();
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\\' && i + 1 < text.Length)
            {
                literal.Append(text[++i]);
                continue;
            }
            if (c is '$' or '%' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1]))
            {
                Flush();
                parts.Add((c == '$' ? Kind.RuleGroup : Kind.ConditionGroup, "", text[++i] - '0'));
                continue;
            }
            if (c == '%' && i + 1 < text.Length && text[i + 1] == '{')
            {
                int close = text.IndexOf('}', i);
                if (close < 0)
                {
                    problem = "a '%{' has no closing '}'";
                    return null;
                }
                string name = text[(i + 2)..close];
                if (!(name.StartsWith("HTTP:", StringComparison.OrdinalIgnoreCase) && name.Length > 5) && !Variables.Contains(name))
                {
                    problem = $"%{{{name}}} is not a variable WsgiHost's rewrite knows (it knows {string.Join(", ", Variables.Order(StringComparer.Ordinal))}, and HTTP:Header)";
                    return null;
                }
                Flush();
                parts.Add((Kind.Variable, name, 0));
                i = close;
                continue;
            }
            literal.Append(c);
        }
        Flush();
        return new RewriteTemplate(text, [.. parts]);

        void Flush()
        {
            if (literal.Length > 0)
            {
                parts.Add((Kind.Literal, literal.ToString(), 0));
                literal.Clear();
            }
        }
    }

    /// <summary>The template's text for one request, after a rule's match and its last matched condition's.</summary>
    public string Expand(IRewriteVariables variables, Match rule, Match? condition)
    {
        var value = new StringBuilder();
        foreach (var (kind, text, group) in _parts)
        {
            value.Append(kind switch
            {
                Kind.Literal => text,
                Kind.Variable => variables.Get(text),
                Kind.RuleGroup => rule.Groups[group].Success ? rule.Groups[group].Value : "",
                _ => condition != null && condition.Groups[group].Success ? condition.Groups[group].Value : "",
            });
        }
        return value.ToString();
    }

    public override string ToString() => Text;
}
