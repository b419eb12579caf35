using WsgiHost.Configuration.Model;
using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Configuration.Directives;

/// <summary>
/// <c>ErrorDocument status document</c> in any scope: a message, an absolute URL (a redirect), a
/// local URL path served from a file the site maps (its Alias or DocumentRoot), or <c>default</c>.
/// It replaces the pages the server makes itself (a denied, unmapped or missing URL, a crashed
/// app's 500, 503...), not the statuses an app answers with, as under mod_wsgi.
/// </summary>
internal static class ErrorDocumentDirective
{
    public static IEnumerable<DirectiveSpec> All() =>
    [
        new("ErrorDocument", DirectiveScope.Anywhere, 2, 2, "status document", ErrorDocument),
    ];

    private static void ErrorDocument(ConfigNode node, BuildContext context)
    {
        if (!int.TryParse(node.Arguments[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int status)
            || status is < 400 or > 599)
        {
            context.Error(node, $"'{node.Arguments[0]}' is not an error status", "a status from 400 to 599: ErrorDocument 404 /errors/404.html");
            return;
        }
        string document = node.Arguments[1];
        ErrorDocumentConfig config;
        if (document.Equals("default", StringComparison.OrdinalIgnoreCase))
        {
            config = new ErrorDocumentConfig(ErrorDocumentKind.Default, "", node.Location);
        }
        else if (document.StartsWith('/'))
        {
            config = new ErrorDocumentConfig(ErrorDocumentKind.LocalUrl, document, node.Location);
        }
        else if (document.Contains("://", StringComparison.Ordinal) && !document.Contains(' '))
        {
            if (status == 401)
            {
                context.Error(node, "a 401 cannot be a redirect: the client would never see the authentication request", "give a local URL path or a message");
                return;
            }
            config = new ErrorDocumentConfig(ErrorDocumentKind.Redirect, document, node.Location);
        }
        else
        {
            config = new ErrorDocumentConfig(ErrorDocumentKind.Text, document, node.Location);
        }
        var documents = new Dictionary<int, ErrorDocumentConfig>(context.PerDir.Value.ErrorDocuments) { [status] = config };
        context.PerDir.Value = context.PerDir.Value with { ErrorDocuments = documents };
    }
}
