using WsgiHost.Configuration.Syntax;
using WsgiHost.Metadata;

namespace WsgiHost.Configuration.Directives;

/// <summary>
/// mod_expires: <c>ExpiresActive On</c>, <c>ExpiresByType text/css "access plus 1 year"</c>,
/// <c>ExpiresDefault A3600</c>, in any scope: what Django and Flask deployment guides put on
/// <c>/static/</c>, so browsers stop asking for the same stylesheet on every page.
/// </summary>
internal static class ExpiresDirectives
{
    public static IEnumerable<DirectiveSpec> All() =>
    [
        new("ExpiresActive", DirectiveScope.Anywhere, 1, 1, "On|Off", ExpiresActive),
        new("ExpiresDefault", DirectiveScope.Anywhere, 1, 1, "\"base [plus] num type ...\" | Aseconds | Mseconds", ExpiresDefault),
        new("ExpiresByType", DirectiveScope.Anywhere, 2, 2, "media-type \"base [plus] num type ...\"", ExpiresByType),
    ];

    private static void ExpiresActive(ConfigNode node, BuildContext context)
    {
        if (context.Flag(node, node.Arguments[0]) is bool on)
        {
            context.PerDir.Value = context.PerDir.Value with { ExpiresActive = on };
        }
    }

    private static void ExpiresDefault(ConfigNode node, BuildContext context)
    {
        if (Rule(node, context, node.Arguments[0]) is ExpiresRule rule)
        {
            context.PerDir.Value = context.PerDir.Value with { ExpiresDefault = rule };
        }
    }

    private static void ExpiresByType(ConfigNode node, BuildContext context)
    {
        string type = node.Arguments[0].Trim().ToLowerInvariant();
        int slash = type.IndexOf('/');
        if (slash <= 0 || slash == type.Length - 1 || (type.Contains('*') && !type.EndsWith("/*", StringComparison.Ordinal)))
        {
            context.Error(node, $"'{node.Arguments[0]}' is not a media type", "name a type such as text/css, or all of a kind as image/*");
            return;
        }
        if (Rule(node, context, node.Arguments[1]) is ExpiresRule rule)
        {
            var byType = new Dictionary<string, ExpiresRule>(context.PerDir.Value.ExpiresByType) { [type] = rule };
            context.PerDir.Value = context.PerDir.Value with { ExpiresByType = byType };
        }
    }

    private static ExpiresRule? Rule(ConfigNode node, BuildContext context, string text)
    {
        ExpiresRule? rule = ExpiresRule.Parse(text, out string? problem);
        if (rule == null)
        {
            context.Error(node, $"the interval '{text}' cannot be read: {problem}", "write \"access plus 1 month\", \"modification plus 2 hours\" or A3600 (seconds after access)");
        }
        return rule;
    }
}
