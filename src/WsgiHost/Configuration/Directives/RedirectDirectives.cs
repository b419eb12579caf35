using WsgiHost.Configuration.Model;
using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Configuration.Directives;

/// <summary>
/// mod_alias's redirects: <c>Redirect [status] URL-path URL</c>, <c>RedirectMatch [status] regex
/// URL</c>, <c>RedirectPermanent</c>, <c>RedirectTemp</c>, in the server and virtual hosts. The
/// plain-HTTP virtual host of a TLS site is nothing else (<c>Redirect permanent /
/// https://example.com/</c>), so a moved config must run with it. Redirects are tried before
/// every alias, as mod_alias tries them.
/// </summary>
internal static class RedirectDirectives
{
    private const DirectiveScope SV = DirectiveScope.ServerAndVirtualHost;

    public static IEnumerable<DirectiveSpec> All() =>
    [
        new("Redirect", SV, 1, 3, "[status] URL-path [URL]", (n, c) => Redirect(n, c, regex: false, fixedStatus: null)),
        new("RedirectMatch", SV, 1, 3, "[status] regex [URL]", (n, c) => Redirect(n, c, regex: true, fixedStatus: null)),
        new("RedirectPermanent", SV, 2, 2, "URL-path URL", (n, c) => Redirect(n, c, regex: false, fixedStatus: 301)),
        new("RedirectTemp", SV, 2, 2, "URL-path URL", (n, c) => Redirect(n, c, regex: false, fixedStatus: 302)),
    ];

    private static void Redirect(ConfigNode node, BuildContext context, bool regex, int? fixedStatus)
    {
        var words = new Queue<string>(node.Arguments);
        int status = fixedStatus ?? 302;
        if (fixedStatus == null && words.Count > 1 && Status(words.Peek()) is int named)
        {
            status = named;
            words.Dequeue();
        }
        else if (fixedStatus == null && words.Count == 3)
        {
            context.Error(node, $"'{words.Peek()}' is not a redirect status", "one of permanent, temp, seeother, gone, or a number such as 301 or 410");
            return;
        }
        bool redirect = status is >= 300 and < 400;
        if (words.Count == 0)
        {
            context.Error(node, $"needs the {(regex ? "regex" : "URL-path")} to redirect", $"e.g. {node.Name} permanent / https://example.com/");
            return;
        }
        string pattern = words.Dequeue();
        string? target = words.Count > 0 ? words.Dequeue() : null;
        if (redirect && target == null)
        {
            context.Error(node, $"a {status} redirect needs the URL to send the client to", $"{node.Name} {StatusWord(status)} {pattern} https://example.com{(regex ? "/$1" : pattern)}");
            return;
        }
        if (!redirect && target != null)
        {
            context.Error(node, $"status {status} is not a redirect, so it takes no URL", $"{node.Name} {StatusWord(status)} {pattern}");
            return;
        }
        if (regex ? !CoreDirectives.IsValidRegex(node, pattern, context) : !pattern.StartsWith('/'))
        {
            if (!regex)
            {
                context.Error(node, $"the URL path '{pattern}' must start with '/'", $"{node.Name} {StatusWord(status)} /{pattern.TrimStart('/')} {target}".TrimEnd());
            }
            return;
        }
        if (target != null && !target.StartsWith('/') && !Uri.TryCreate(target, UriKind.Absolute, out _) && !target.Contains('$'))
        {
            context.Error(node, $"'{target}' is not a URL", "give an absolute URL (https://example.com/path) or a path starting with '/'");
            return;
        }
        context.Scope.Redirects.Add(new RedirectConfig(pattern, regex, status, target, node.Location));
    }

    /// <summary>A status word or number (mod_alias's: 300-399 redirect, anything from 100 to 599 else).</summary>
    private static int? Status(string word) => word.ToLowerInvariant() switch
    {
        "permanent" => 301,
        "temp" => 302,
        "seeother" => 303,
        "gone" => 410,
        _ => int.TryParse(word, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) && n is >= 100 and <= 599 ? n : null,
    };

    private static string StatusWord(int status) => status switch
    {
        301 => "permanent",
        302 => "temp",
        303 => "seeother",
        410 => "gone",
        _ => status.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
