using System.Text.RegularExpressions;
using WsgiHost.Configuration.Model;
using WsgiHost.Configuration.Syntax;
using WsgiHost.Routing;

namespace WsgiHost.Configuration.Directives;

/// <summary>
/// The part of mod_rewrite a moved site's server and virtual hosts use for redirects: certbot's
/// <c>RewriteCond %{SERVER_NAME} =example.com</c> / <c>RewriteRule ^ https://%{SERVER_NAME}%{REQUEST_URI}
/// [END,NE,R=permanent]</c>, <c>RewriteCond %{HTTPS} off</c>, the www. to bare host rule, and
/// <c>[F]</c>, <c>[G]</c>, <c>- [L]</c>. Internal rewrites, per-directory rules, file tests and
/// the flags it does not run are errors with file, line and a fix, never ignored.
/// </summary>
internal static class RewriteDirectives
{
    private const DirectiveScope SV = DirectiveScope.ServerAndVirtualHost;

    public static IEnumerable<DirectiveSpec> All() =>
    [
        new("RewriteEngine", SV, 1, 1, "On|Off", (n, c) => c.Scope.RewriteEngine = c.Flag(n, n.Arguments[0]) ?? c.Scope.RewriteEngine),
        new("RewriteCond", SV, 2, 3, "TestString CondPattern [flags]", RewriteCond),
        new("RewriteRule", SV, 2, 3, "Pattern Substitution [flags]", RewriteRule),
        new("RewriteOptions", SV, 1, -1, "Inherit|InheritBefore", RewriteOptions),
    ];

    /// <summary>RewriteOptions Inherit (the main server's rules after a virtual host's own) or InheritBefore (before them).</summary>
    private static void RewriteOptions(ConfigNode node, BuildContext context)
    {
        foreach (string option in node.Arguments)
        {
            switch (option.ToLowerInvariant())
            {
                case "inherit" when context.Scope.IsVirtualHost:
                    context.Scope.RewriteInherit = RewriteInheritance.After;
                    break;
                case "inheritbefore" when context.Scope.IsVirtualHost:
                    context.Scope.RewriteInherit = RewriteInheritance.Before;
                    break;
                case "inherit" or "inheritbefore":
                    context.Error(node, $"'{option}' takes effect in a <VirtualHost>, which inherits the main server's rules", "write RewriteOptions Inherit inside the <VirtualHost>");
                    return;
                default:
                    context.Error(node, $"the option '{option}' is not supported by WsgiHost", "RewriteOptions Inherit or InheritBefore");
                    return;
            }
        }
    }

    private static void RewriteCond(ConfigNode node, BuildContext context)
    {
        if (Flags(node, context, node.Arguments.Count > 2 ? node.Arguments[2] : null, ["NC", "NOCASE", "OR", "ORNEXT", "NV", "NOVARY"]) is not { } flags)
        {
            return;
        }
        if (Template(node, context, node.Arguments[0]) is not RewriteTemplate test)
        {
            return;
        }
        bool noCase = flags.ContainsKey("NC") || flags.ContainsKey("NOCASE");
        string pattern = node.Arguments[1];
        bool negated = pattern.StartsWith('!');
        pattern = negated ? pattern[1..] : pattern;
        Regex? regex = null;
        RewriteTemplate? equalTo = null;
        if (pattern.StartsWith('='))
        {
            if ((equalTo = Template(node, context, pattern[1..])) == null)
            {
                return;
            }
        }
        else if (pattern.Length >= 2 && pattern[0] is '-' or '<' or '>' && !pattern.StartsWith("-?", StringComparison.Ordinal))
        {
            context.Error(node, $"the test '{pattern}' (file tests and comparisons) is not supported",
                "test with a regular expression or =string; a front controller needs no file test: map static files with Alias and the rest with WSGIScriptAlias");
            return;
        }
        else if ((regex = MetadataDirectives.Compile(node, context, pattern, noCase, "pattern")) == null)
        {
            return;
        }
        context.Scope.RewriteConditions.Add(new RewriteCondConfig(test, regex, equalTo, negated, noCase,
            flags.ContainsKey("OR") || flags.ContainsKey("ORNEXT"), node.Location));
    }

    private static void RewriteRule(ConfigNode node, BuildContext context)
    {
        List<RewriteCondConfig> conditions = [.. context.Scope.RewriteConditions];
        context.Scope.RewriteConditions.Clear();
        if (Flags(node, context, node.Arguments.Count > 2 ? node.Arguments[2] : null,
            ["R", "REDIRECT", "L", "LAST", "END", "NE", "NOESCAPE", "NC", "NOCASE", "QSA", "QSAPPEND", "QSD", "QSDISCARD", "F", "FORBIDDEN", "G", "GONE", "E", "ENV"]) is not { } flags)
        {
            return;
        }
        if (EnvironmentFlags(node, context, node.Arguments.Count > 2 ? node.Arguments[2] : "") is not { } environment)
        {
            return;
        }
        bool Has(params string[] names) => names.Any(flags.ContainsKey);
        string pattern = node.Arguments[0];
        bool negated = pattern.StartsWith('!');
        if (MetadataDirectives.Compile(node, context, negated ? pattern[1..] : pattern, Has("NC", "NOCASE"), "pattern") is not Regex regex)
        {
            return;
        }
        string substitution = node.Arguments[1];
        int status = 302;
        RewriteAction action;
        if (Has("F", "FORBIDDEN"))
        {
            action = RewriteAction.Forbidden;
        }
        else if (Has("G", "GONE"))
        {
            action = RewriteAction.Gone;
        }
        else if (substitution == "-")
        {
            if (Has("R", "REDIRECT"))
            {
                context.Error(node, "a redirect needs a URL to send the client to, not '-'", "RewriteRule ^ https://%{SERVER_NAME}%{REQUEST_URI} [R=301,L]");
                return;
            }
            action = RewriteAction.Pass;
        }
        else if (Has("R", "REDIRECT") || substitution.Contains("://", StringComparison.Ordinal))
        {
            action = RewriteAction.Redirect;
            string? code = flags.GetValueOrDefault("R") ?? flags.GetValueOrDefault("REDIRECT");
            if (code != null && Status(code) is not int parsed)
            {
                context.Error(node, $"'R={code}' is not a redirect status", "R=301, R=302, R=permanent, R=temp or R=seeother");
                return;
            }
            else if (code != null)
            {
                status = Status(code)!.Value;
            }
        }
        else
        {
            context.Error(node, $"'{substitution}' rewrites the URL inside the server, which WsgiHost does not do (it runs redirects, [F], [G] and '-')",
                "redirect with [R=301,L], or map the URL with Alias/WSGIScriptAlias");
            return;
        }
        RewriteTemplate? target = null;
        if (action == RewriteAction.Redirect && (target = Template(node, context, substitution)) == null)
        {
            return;
        }
        context.Scope.RewriteRules.Add(new RewriteRuleConfig(regex, negated, target, action, status,
            Has("QSA", "QSAPPEND"), Has("QSD", "QSDISCARD"), Has("NE", "NOESCAPE"), Has("L", "LAST", "END"), conditions, node.Location) { Environment = environment });
    }

    /// <summary>
    /// Every <c>[E=VAR:VALUE]</c> (or <c>ENV=</c>) of a rule, in order: the variables a matching rule sets,
    /// the value expanded as a substitution is (<c>$N</c>, <c>%N</c>, <c>%{HTTP:Header}</c>). The idiom that
    /// hands the Authorization header to an app, <c>RewriteRule .* - [E=HTTP_AUTHORIZATION:%{HTTP:Authorization}]</c>,
    /// is the reason. Null after reporting a form not supported (<c>E=!VAR</c>, which unsets).
    /// </summary>
    private static List<(string Name, RewriteTemplate Value)>? EnvironmentFlags(ConfigNode node, BuildContext context, string text)
    {
        var environment = new List<(string Name, RewriteTemplate Value)>();
        if (!text.StartsWith('[') || !text.EndsWith(']'))
        {
            return environment;
        }
        foreach (string flag in text[1..^1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = flag.IndexOf('=');
            if (equals < 0 || !flag[..equals].ToUpperInvariant().Equals("E", StringComparison.Ordinal) && !flag[..equals].ToUpperInvariant().Equals("ENV", StringComparison.Ordinal))
            {
                continue;
            }
            string assignment = flag[(equals + 1)..];
            int colon = assignment.IndexOf(':');
            string name = colon < 0 ? assignment : assignment[..colon];
            if (name.Length == 0 || name.StartsWith('!'))
            {
                context.Error(node, $"the flag '{flag}' is not supported: WsgiHost sets variables with E=VAR:VALUE (or E=VAR), and does not unset them",
                    "E=VAR:VALUE, or UnsetEnv VAR in the section");
                return null;
            }
            if (Template(node, context, colon < 0 ? "" : assignment[(colon + 1)..]) is not { } value)
            {
                return null;
            }
            environment.Add((name, value));
        }
        return environment;
    }

    private static int? Status(string code) => code.ToLowerInvariant() switch
    {
        "permanent" => 301,
        "temp" => 302,
        "seeother" => 303,
        _ => int.TryParse(code, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) && n is >= 300 and < 400 ? n : null,
    };

    /// <summary>"[R=301,L]" as flag names (upper case) to their values; null after reporting a flag not in <paramref name="known"/>.</summary>
    private static Dictionary<string, string?>? Flags(ConfigNode node, BuildContext context, string? text, string[] known)
    {
        var flags = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (text == null)
        {
            return flags;
        }
        if (!text.StartsWith('[') || !text.EndsWith(']'))
        {
            context.Error(node, $"'{text}' is not a flag list", "write flags in brackets: [R=301,L]");
            return null;
        }
        foreach (string flag in text[1..^1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = flag.IndexOf('=');
            string name = (equals < 0 ? flag : flag[..equals]).ToUpperInvariant();
            if (!known.Contains(name))
            {
                context.Error(node, $"the flag '{flag}' is not supported by WsgiHost", $"the flags it runs here: {string.Join(", ", known)}");
                return null;
            }
            flags[name] = equals < 0 ? null : flag[(equals + 1)..];
        }
        return flags;
    }

    private static RewriteTemplate? Template(ConfigNode node, BuildContext context, string text)
    {
        RewriteTemplate? template = RewriteTemplate.Parse(text, out string? problem);
        if (template == null)
        {
            context.Error(node, $"'{text}' cannot be read: {problem}", "use the server variables listed, or %{HTTP:Header-Name} for a request header");
        }
        return template;
    }
}
