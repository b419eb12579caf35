using System.Net;
using WsgiHost.Configuration.Model;
using WsgiHost.Configuration.Syntax;
using WsgiHost.Metadata;
using WsgiHost.Routing;

namespace WsgiHost.Configuration.Lints;

/// <summary>
/// Lints of mod_headers, mod_setenvif and mod_alias lines: the ways they are written that do
/// not do what their author meant (HSTS missing from error pages, a client able to
/// claim https, an application no URL reaches because a redirect answers first).
/// </summary>
internal static class MetadataLints
{
    /// <summary>
    /// Strict-Transport-Security set without <c>always</c>: the server's own error pages and
    /// redirects go out without it, so a browser whose first visit meets one of them is not told
    /// to stay on https (the form Apache's documentation and Mozilla's generator write has always).
    /// </summary>
    public static void HstsWithoutAlways(SiteConfig site, List<ConfigDiagnostic> found)
    {
        foreach (HeaderEdit edit in AllSettings(site).SelectMany(s => s.ResponseHeaderEdits))
        {
            if (!edit.Always && edit.Action is HeaderAction.Set or HeaderAction.Add or HeaderAction.SetIfEmpty
                && edit.Name.Equals("Strict-Transport-Security", StringComparison.OrdinalIgnoreCase))
            {
                found.Add(SiteLints.Warning(edit.Location, "Header",
                    $"{edit.Name} is set only on the responses the app and the file handler make (onsuccess): the server's own 403, 404, 500 pages and redirects go without it",
                    $"Header always set {edit.Name} \"{edit.Value}\""));
            }
        }
    }

    /// <summary>
    /// <c>SetEnvIf X-Forwarded-Proto https HTTPS=on</c> on a server other hosts can reach: any
    /// client can send the header, and the app then believes the request came over TLS (secure
    /// cookies, redirects, Django's SECURE_PROXY_SSL_HEADER trust).
    /// </summary>
    public static void HttpsFromClientHeaders(SiteConfig site, List<ConfigDiagnostic> found)
    {
        if (site.Listeners.All(l => l.Address != null && IPAddress.IsLoopback(l.Address)))
        {
            return;
        }
        foreach (SetEnvIfRule rule in AllSettings(site).SelectMany(s => s.SetEnvIf))
        {
            if (rule.Attribute is RequestAttribute.Header or RequestAttribute.HeaderNamePattern
                && rule.Assignments.Any(a => a.Key.Equals("HTTPS", StringComparison.OrdinalIgnoreCase) && a.Value != null))
            {
                found.Add(SiteLints.Warning(rule.Location, "SetEnvIf",
                    $"HTTPS is set from the request header '{rule.Name}', which any client that reaches this server can send, and this server listens beyond 127.0.0.1",
                    $"trust the header only from the proxy: WSGITrustedProxyHeaders {rule.Name} with WSGITrustedProxies <proxy address>, or Listen 127.0.0.1 only"));
            }
        }
    }

    /// <summary>A Redirect that covers every URL of an alias or WSGI application in the same scope: redirects are tried first, so those never answer.</summary>
    public static void RedirectsHidingMappings(SiteConfig site, List<ConfigDiagnostic> found)
    {
        foreach (ServerScope scope in site.AllScopes)
        {
            var mounts = scope.ScriptAliases.Where(a => !a.IsRegex).Select(a => (a.UrlPattern, a.DirectiveName, a.Location))
                .Concat(scope.Aliases.Where(a => !a.IsRegex).Select(a => (a.UrlPattern, a.DirectiveName, a.Location)));
            foreach (var (url, directive, location) in mounts)
            {
                if (scope.Redirects.FirstOrDefault(r => !r.IsRegex && AliasMatcher.Match(r.UrlPattern, url) >= 0) is { } redirect)
                {
                    found.Add(SiteLints.Warning(redirect.Location, redirect.DirectiveName,
                        $"'{redirect.UrlPattern}' answers every URL of the {directive} '{url}' ({location}) with a {redirect.Status}: redirects are tried before every alias, whatever the order in the file",
                        $"redirect a narrower URL, or move the {directive} to a <VirtualHost> the redirect is not in"));
                }
            }
        }
    }

    /// <summary>An ErrorDocument whose local URL maps to no file: the server's own page would be sent instead.</summary>
    public static void ErrorDocumentsWithoutAFile(SiteConfig site, List<ConfigDiagnostic> found)
    {
        foreach (ServerScope scope in site.AllScopes)
        {
            UrlMapper mapper = UrlMapper.ForScope(scope, site.MainServer);
            foreach (PerDirSettings settings in scope.Sections.Select(s => s.Payload.Settings).Prepend(scope.Defaults))
            {
                foreach (var (status, document) in settings.ErrorDocuments.Where(d => d.Value.Kind == ErrorDocumentKind.LocalUrl))
                {
                    string path = document.Value.Split('?')[0];
                    string? problem = mapper.Map(path) switch
                    {
                        null => "maps to nothing (no Alias or DocumentRoot covers it)",
                        { IsStatic: false } => "maps to a WSGI application, which WsgiHost does not run for an error page",
                        { FilePath: var file } when !File.Exists(file) => $"maps to {file}, which does not exist",
                        _ => null,
                    };
                    if (problem != null)
                    {
                        found.Add(SiteLints.Warning(document.Location, "ErrorDocument",
                            $"ErrorDocument {status} {document.Value} {problem}: the server's own {status} page will be sent",
                            "point it at a file under an Alias (Alias /errors/ /srv/site/errors/), or give the message itself"));
                    }
                }
            }
        }
    }

    /// <summary>
    /// XSendFile On with no XSendFilePath anywhere: an app may then name only files in its own
    /// script's folder (its code), so the protected downloads kept anywhere else answer 404 —
    /// the step mod_xsendfile's users most often miss.
    /// </summary>
    public static void XSendFileWithoutPaths(SiteConfig site, List<ConfigDiagnostic> found)
    {
        var settings = AllSettings(site).ToList();
        if (settings.Any(s => s.XSendFile.Paths.Count > 0))
        {
            return;
        }
        foreach (PerDirSettings on in settings.Where(s => s.XSendFile.Enabled == true && s.XSendFile.EnabledAt != null))
        {
            found.Add(SiteLints.Warning(on.XSendFile.EnabledAt!, "XSendFile",
                "XSendFile is On but no XSendFilePath names a folder: an app may send only files in its WSGI script's own folder, so a download kept anywhere else answers 404",
                "XSendFilePath /srv/app/private  (the folder the app's protected files are in)"));
        }
    }

    private static IEnumerable<PerDirSettings> AllSettings(SiteConfig site) =>
        site.AllScopes.SelectMany(s => s.Sections.Select(section => section.Payload.Settings).Prepend(s.Defaults));
}
