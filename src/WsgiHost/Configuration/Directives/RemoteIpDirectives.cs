using WsgiHost.Access;
using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Configuration.Directives;

/// <summary>
/// mod_remoteip: <c>RemoteIPHeader X-Forwarded-For</c> with the proxies believed
/// (<c>RemoteIPInternalProxy</c>, <c>RemoteIPTrustedProxy</c>, or their <c>...List</c> files),
/// the client address behind a load balancer for access rules, the log and REMOTE_ADDR alike.
/// (mod_wsgi's own WSGITrustedProxyHeaders changes the app's environ only.)
/// </summary>
internal static class RemoteIpDirectives
{
    private const DirectiveScope SV = DirectiveScope.ServerAndVirtualHost;

    public static IEnumerable<DirectiveSpec> All() =>
    [
        new("RemoteIPHeader", SV, 1, 1, "header-name", (n, c) => c.Scope.RemoteIpHeader = n.Arguments[0]),
        new("RemoteIPProxiesHeader", SV, 1, 1, "header-name", (n, c) => c.Scope.RemoteIpProxiesHeader = n.Arguments[0]),
        new("RemoteIPInternalProxy", SV, 1, -1, "address[/prefix] ...", (n, c) => Networks(n, c, n.Arguments, c.Scope.RemoteIpInternal)),
        new("RemoteIPTrustedProxy", SV, 1, -1, "address[/prefix] ...", (n, c) => Networks(n, c, n.Arguments, c.Scope.RemoteIpTrusted)),
        new("RemoteIPInternalProxyList", SV, 1, 1, "file", (n, c) => ListFile(n, c, c.Scope.RemoteIpInternal)),
        new("RemoteIPTrustedProxyList", SV, 1, 1, "file", (n, c) => ListFile(n, c, c.Scope.RemoteIpTrusted)),
    ];

    private static void Networks(ConfigNode node, BuildContext context, IEnumerable<string> words, List<IpNetwork> into)
    {
        foreach (string word in words)
        {
            if (IpNetwork.TryParse(word, out IpNetwork? network, out string? problem) == IpNetwork.ParseOutcome.Parsed)
            {
                into.Add(network!);
            }
            else
            {
                context.Error(node, problem ?? $"'{word}' is not an IP address or network",
                    "give the proxy's address or network (10.0.0.0/8); host names are not looked up");
            }
        }
    }

    /// <summary>A file of addresses, one or more a line, '#' starting a comment, as mod_remoteip reads it.</summary>
    private static void ListFile(ConfigNode node, BuildContext context, List<IpNetwork> into)
    {
        string path = context.ResolvePath(node.Arguments[0]);
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            context.Error(node, $"cannot read '{path}': {e.Message}", "give a readable file of proxy addresses, one a line");
            return;
        }
        var words = lines.Select(l => l.Split('#')[0]).SelectMany(l => l.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        Networks(node, context, words, into);
    }
}
