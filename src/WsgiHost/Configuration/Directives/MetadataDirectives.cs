using System.Text.RegularExpressions;
using WsgiHost.Access;
using WsgiHost.Configuration.Model;
using WsgiHost.Configuration.Syntax;
using WsgiHost.Metadata;

namespace WsgiHost.Configuration.Directives;

/// <summary>
/// mod_setenvif (SetEnvIf, SetEnvIfNoCase, BrowserMatch, BrowserMatchNoCase) and mod_headers
/// (Header, RequestHeader), the two modules a moved site's config leans on most after mod_wsgi:
/// <c>SetEnvIf X-Forwarded-Proto https HTTPS=on</c> behind a proxy, <c>Header always set
/// Strict-Transport-Security ...</c>, the no-gzip lines of mod_deflate's own example. Lines
/// accumulate across scopes in order, as both modules merge them.
/// </summary>
internal static class MetadataDirectives
{
    public static IEnumerable<DirectiveSpec> All() =>
    [
        new("SetEnvIf", DirectiveScope.Anywhere, 3, -1, "attribute regex [!]env-variable[=value] ...", (n, c) => SetEnvIf(n, c, n.Arguments[0], n.Arguments.Skip(1), ignoreCase: false)),
        new("SetEnvIfNoCase", DirectiveScope.Anywhere, 3, -1, "attribute regex [!]env-variable[=value] ...", (n, c) => SetEnvIf(n, c, n.Arguments[0], n.Arguments.Skip(1), ignoreCase: true)),
        new("BrowserMatch", DirectiveScope.Anywhere, 2, -1, "regex [!]env-variable[=value] ...", (n, c) => SetEnvIf(n, c, "User-Agent", n.Arguments, ignoreCase: false)),
        new("BrowserMatchNoCase", DirectiveScope.Anywhere, 2, -1, "regex [!]env-variable[=value] ...", (n, c) => SetEnvIf(n, c, "User-Agent", n.Arguments, ignoreCase: true)),
        new("Header", DirectiveScope.Anywhere, 2, 6, "[always|onsuccess] action header [value] [replacement] [early|env=[!]VAR]", (n, c) => Header(n, c, response: true)),
        new("RequestHeader", DirectiveScope.Anywhere, 2, 5, "action header [value] [replacement] [early|env=[!]VAR]", (n, c) => Header(n, c, response: false)),
    ];

    private static void SetEnvIf(ConfigNode node, BuildContext context, string attribute, IEnumerable<string> rest, bool ignoreCase)
    {
        string[] words = [.. rest];
        string pattern = words[0];
        RequestAttribute kind = SetEnvIfRule.AttributeOf(attribute);
        Regex? namePattern = null;
        if (kind == RequestAttribute.HeaderNamePattern && (namePattern = Compile(node, context, attribute, ignoreCase, "header name")) == null)
        {
            return;
        }
        if (Compile(node, context, pattern, ignoreCase, "pattern") is not Regex regex)
        {
            return;
        }
        var assignments = new List<KeyValuePair<string, string?>>();
        foreach (string word in words.Skip(1))
        {
            int equals = word.IndexOf('=');
            string name = equals >= 0 ? word[..equals] : word.TrimStart('!');
            if (name.Length == 0)
            {
                context.Error(node, $"'{word}' names no variable", "write var, var=value or !var");
                return;
            }
            // A value with $N or a backslash is kept in .NET's substitution syntax, for Match.Result.
            string? value = equals >= 0 ? word[(equals + 1)..] : word.StartsWith('!') ? null : "1";
            assignments.Add(new(name, value != null && (value.Contains('$') || value.Contains('\\')) ? ApacheRegex.Substitution(value) : value));
        }
        var rule = new SetEnvIfRule(kind, attribute, namePattern, regex, assignments, node.Location);
        context.PerDir.Value = context.PerDir.Value with { SetEnvIf = AppendOnlyList<SetEnvIfRule>.Append(context.PerDir.Value.SetEnvIf, rule) };
    }

    /// <summary>A pattern of a line (PCRE as .NET reads it; [NC]/NoCase as (?i)), or null after reporting why it cannot be one.</summary>
    internal static Regex? Compile(ConfigNode node, BuildContext context, string pattern, bool ignoreCase, string what)
    {
        Regex? regex = ApacheRegex.TryCreate(ignoreCase ? "(?i)" + pattern : pattern, out string? problem);
        if (regex == null)
        {
            context.Error(node, $"the {what} '{pattern}' is not a valid regular expression: {problem}", "write an expression PCRE and .NET both read; quote it if it has spaces");
        }
        return regex;
    }

    private static void Header(ConfigNode node, BuildContext context, bool response)
    {
        string directive = response ? "Header" : "RequestHeader";
        var words = new Queue<string>(node.Arguments);
        bool always = false;
        if (response && words.Peek() is string condition && condition.ToLowerInvariant() is "always" or "onsuccess")
        {
            always = condition.Equals("always", StringComparison.OrdinalIgnoreCase);
            words.Dequeue();
        }
        if (words.Count < 2)
        {
            context.Error(node, "needs an action and a header", $"e.g. {directive} set X-Frame-Options SAMEORIGIN");
            return;
        }
        string actionWord = words.Dequeue();
        HeaderAction? parsed = actionWord.ToLowerInvariant() switch
        {
            "set" => HeaderAction.Set,
            "append" => HeaderAction.Append,
            "add" => HeaderAction.Add,
            "merge" => HeaderAction.Merge,
            "setifempty" => HeaderAction.SetIfEmpty,
            "unset" => HeaderAction.Unset,
            "edit" => HeaderAction.Edit,
            "edit*" => HeaderAction.EditAll,
            "echo" when response => HeaderAction.Echo,
            "note" when response => HeaderAction.Note,
            _ => null,
        };
        if (parsed is not HeaderAction action)
        {
            context.Error(node, $"'{actionWord}' is not an action of {directive}",
                response ? "one of set, append, add, merge, setifempty, unset, edit, edit*, echo, note" : "one of set, append, add, merge, setifempty, unset, edit, edit*");
            return;
        }
        string name = words.Dequeue().TrimEnd(':');
        int values = action switch
        {
            HeaderAction.Unset or HeaderAction.Echo => 0,
            HeaderAction.Edit or HeaderAction.EditAll => 2,
            _ => 1,
        };
        if (words.Count < values)
        {
            context.Error(node, $"'{actionWord}' needs {(values == 2 ? "a pattern and a replacement" : "a value")}", $"e.g. {directive} {Example(action)}");
            return;
        }
        string[] arguments = [.. Enumerable.Range(0, values).Select(_ => words.Dequeue())];
        VariableCondition? when = null;
        bool early = false;
        if (words.Count > 0)
        {
            string clause = words.Dequeue();
            if (clause.Equals("early", StringComparison.OrdinalIgnoreCase))
            {
                if (context.Where == DirectiveScope.Section)
                {
                    context.Error(node, "'early' is allowed only in the server or a <VirtualHost>, as in Apache", "move the line out of its section, or drop 'early'");
                    return;
                }
                early = true;
            }
            else if (clause.StartsWith("expr=", StringComparison.OrdinalIgnoreCase))
            {
                context.Error(node, "conditions with expr= (ap_expr) are not supported", "set a variable with SetEnvIf and use env=VAR");
                return;
            }
            else if ((when = VariableCondition.TryParse(clause)) == null)
            {
                context.Error(node, $"'{clause}' is not a condition", "use env=VAR, env=!VAR or early");
                return;
            }
        }
        if (words.Count > 0)
        {
            context.Error(node, $"has {words.Count} argument(s) too many for '{actionWord}'", $"quote a value with spaces: {directive} {Example(action)}");
            return;
        }
        HeaderValueFormat? value = null;
        Regex? pattern = null;
        string? replacement = null;
        switch (action)
        {
            case HeaderAction.Echo:
                if ((pattern = Compile(node, context, name, ignoreCase: false, "header name pattern")) == null)
                {
                    return;
                }
                break;
            case HeaderAction.Edit or HeaderAction.EditAll:
                if ((pattern = Compile(node, context, arguments[0], ignoreCase: false, "pattern")) == null)
                {
                    return;
                }
                replacement = ApacheRegex.Substitution(arguments[1]);
                break;
            case HeaderAction.Unset:
                break;
            default:
                if (arguments[0].StartsWith("expr=", StringComparison.OrdinalIgnoreCase))
                {
                    context.Error(node, "values given as expr= (ap_expr) are not supported", "write the value with %{VAR}e, %t or %D");
                    return;
                }
                if ((value = HeaderValueFormat.Parse(arguments[0], out string? problem)) == null)
                {
                    context.Error(node, $"the value '{arguments[0]}' cannot be read: {problem}", "write a literal % as %%");
                    return;
                }
                break;
        }
        var edit = new HeaderEdit(action, name, value, pattern, replacement, when, always, early, node.Location);
        context.PerDir.Value = response
            ? context.PerDir.Value with { ResponseHeaderEdits = AppendOnlyList<HeaderEdit>.Append(context.PerDir.Value.ResponseHeaderEdits, edit) }
            : context.PerDir.Value with { RequestHeaderEdits = AppendOnlyList<HeaderEdit>.Append(context.PerDir.Value.RequestHeaderEdits, edit) };
    }

    private static string Example(HeaderAction action) => action switch
    {
        HeaderAction.Edit or HeaderAction.EditAll => "edit Set-Cookie ^(.*)$ \"$1; HttpOnly\"",
        HeaderAction.Unset => "unset X-Powered-By",
        _ => "set Strict-Transport-Security \"max-age=31536000\"",
    };
}
