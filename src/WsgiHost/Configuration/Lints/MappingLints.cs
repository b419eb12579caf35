using WsgiHost.Access;
using WsgiHost.Configuration.Model;
using WsgiHost.Configuration.Syntax;
using WsgiHost.Routing;

namespace WsgiHost.Configuration.Lints;

/// <summary>Lints of URL mapping: what can never be reached, and access rules tied to URLs.</summary>
internal static class MappingLints
{
    /// <summary>
    /// A WSGIScriptAlias, or an Alias, that an earlier one of its kind (first match wins) always
    /// takes first: `Alias /static/ A` then `Alias /static/admin/ B` serves /static/admin/ from
    /// A. Apache warns of such an Alias at startup (AH00671).
    /// </summary>
    public static void ShadowedAliases(SiteConfig site, List<ConfigDiagnostic> found)
    {
        foreach (ServerScope scope in site.AllScopes)
        {
            Shadowed("WSGIScriptAlias", [.. scope.ScriptAliases.Where(a => !a.IsRegex).Select(a => (a.UrlPattern, a.Location))], found);
            Shadowed("Alias", [.. scope.Aliases.Where(a => !a.IsRegex).Select(a => (a.UrlPattern, a.Location))], found);
        }
    }

    private static void Shadowed(string directive, List<(string UrlPattern, SourceLocation Location)> aliases, List<ConfigDiagnostic> found)
    {
        // An earlier alias matches a later one's URL when, with runs of "/" made one, it is a
        // prefix of it ending at a "/" or at the end (AliasMatcher). So only the later's
        // prefixes at those places can shadow it: look them up instead of trying every earlier
        // alias, which took seconds on configs with tens of thousands of aliases.
        var firstIndexOf = new Dictionary<string, int>(StringComparer.Ordinal);
        string[] normalised = new string[aliases.Count];
        for (int i = 0; i < aliases.Count; i++)
        {
            normalised[i] = SlashRunsMadeOne(aliases[i].UrlPattern);
            firstIndexOf.TryAdd(normalised[i], i);
        }
        for (int later = 0; later < aliases.Count; later++)
        {
            int earlier = FirstEarlierPrefix(normalised[later], later, firstIndexOf);
            if (earlier >= 0)
            {
                found.Add(SiteLints.Warning(aliases[later].Location, directive,
                    $"'{aliases[later].UrlPattern}' is never reached: the {directive} '{aliases[earlier].UrlPattern}' at {aliases[earlier].Location} is tried first and matches every URL under it",
                    $"move the {directive} for '{aliases[later].UrlPattern}' above the one for '{aliases[earlier].UrlPattern}'"));
            }
        }
    }

    /// <summary>The first alias before <paramref name="before"/> whose pattern matches <paramref name="url"/> (both with slash runs made one), or -1.</summary>
    private static int FirstEarlierPrefix(string url, int before, Dictionary<string, int> firstIndexOf)
    {
        int first = -1;
        for (int end = 1; end <= url.Length; end++)
        {
            // A prefix ending in "/" matches whatever follows; one that does not must end at a "/" or at the end.
            bool candidate = url[end - 1] == '/' || end == url.Length || url[end] == '/';
            if (candidate && firstIndexOf.TryGetValue(url[..end], out int index) && index < before && (first < 0 || index < first))
            {
                first = index;
            }
        }
        return first;
    }

    private static string SlashRunsMadeOne(string pattern)
    {
        var text = new System.Text.StringBuilder(pattern.Length);
        foreach (char c in pattern)
        {
            if (c != '/' || text.Length == 0 || text[^1] != '/')
            {
                text.Append(c);
            }
        }
        return text.ToString();
    }

    /// <summary>
    /// Alias /static/ /srv/static: Apache joins what follows the URL's slash to the target as
    /// written, so /static/site.css is /srv/staticsite.css there (404 or 403); WsgiHost puts the
    /// slash back and serves /srv/static/site.css. Apache's documentation warns of exactly this.
    /// </summary>
    public static void AliasSlashMismatch(SiteConfig site, List<ConfigDiagnostic> found)
    {
        foreach (var alias in site.AllScopes.SelectMany(s => s.Aliases).Where(a => !a.IsRegex && a.UrlPattern.Length > 1 && a.UrlPattern.EndsWith('/') && !a.Target.EndsWith('/')))
        {
            found.Add(SiteLints.Warning(alias.Location, "Alias",
                $"'{alias.UrlPattern}' ends with a slash and '{alias.Target}' does not: Apache maps {alias.UrlPattern}name to {alias.Target}name (so it finds no file), where WsgiHost serves {alias.Target}/name",
                $"write both with a trailing slash or both without: Alias {alias.UrlPattern} {alias.Target}/"));
        }
    }

    /// <summary>An Alias (tried before every script alias) that covers a WSGIScriptAlias's URL.</summary>
    public static void AliasesHidingScriptAliases(SiteConfig site, List<ConfigDiagnostic> found)
    {
        foreach (ServerScope scope in site.AllScopes)
        {
            foreach (ScriptAliasConfig script in scope.ScriptAliases.Where(a => !a.IsRegex))
            {
                AliasConfig? hider = scope.Aliases.FirstOrDefault(a => !a.IsRegex && AliasMatcher.Match(a.UrlPattern, script.UrlPattern) >= 0);
                if (hider != null)
                {
                    found.Add(SiteLints.Warning(hider.Location, "Alias",
                        $"'{hider.UrlPattern}' hides the WSGI application at '{script.UrlPattern}' ({script.Location}): Alias is tried before every WSGIScriptAlias, whatever the order in the file",
                        $"give the static files a URL of their own (Alias /static/ ...) that the application's URLs do not use"));
                }
            }
        }
    }

    /// <summary>
    /// A WSGI script inside the DocumentRoot that a URL reaches as a file: nothing else maps
    /// that URL, so its source (settings, keys) goes out as a static file, as Apache would send
    /// it. mod_wsgi's documentation warns against scripts there for this reason.
    /// </summary>
    public static void ScriptsServedAsFiles(SiteConfig site, List<ConfigDiagnostic> found)
    {
        foreach (ServerScope scope in site.AllScopes)
        {
            UrlMapper mapper = UrlMapper.ForScope(scope, site.MainServer);
            if (mapper.DocumentRoot is not { } served)
            {
                continue;
            }
            string root = served.Target.TrimEnd('/');
            foreach (ScriptAliasConfig script in scope.ScriptAliases.Where(a => !a.IsRegex && a.Target.StartsWith(root + "/", StringComparison.Ordinal)))
            {
                string url = script.Target[root.Length..];
                if (mapper.Map(url) is { } mapped && ReferenceEquals(mapped.Alias, served))
                {
                    found.Add(SiteLints.Warning(script.Location, "WSGIScriptAlias",
                        $"the script {script.Target} is inside DocumentRoot {root}, so the URL '{url}' serves its source as a static file",
                        $"move the script out of the DocumentRoot, or deny it: <Files {Path.GetFileName(script.Target)}> Require all denied </Files> in its <Directory>"));
                }
            }
        }
    }

    /// <summary>
    /// Access rules on &lt;Location&gt; for a WSGI app. A rule over the whole mount belongs on the
    /// script's &lt;Directory&gt;, which covers it however it is reached; a rule on a URL inside
    /// the app (/admin) is right only if no other mount of the same script skips it.
    /// </summary>
    public static void LocationAccessOnWsgiUrls(SiteConfig site, List<ConfigDiagnostic> found)
    {
        var allMounts = site.AllScopes.SelectMany(s => s.ScriptAliases.Select(a => (Scope: s, Alias: a))).Where(m => !m.Alias.IsRegex).ToList();
        foreach (ServerScope scope in site.AllScopes)
        {
            foreach (Section<SectionPayload> section in scope.Sections)
            {
                if (section.Kind != SectionKind.Location || section.Payload.Access == null)
                {
                    continue;
                }
                var visible = scope.IsVirtualHost ? scope.ScriptAliases.Concat(site.MainServer.ScriptAliases) : scope.ScriptAliases;
                foreach (ScriptAliasConfig mount in visible.Where(a => !a.IsRegex))
                {
                    bool wholeMount = AliasMatcher.Match(section.Pattern, mount.UrlPattern) >= 0;
                    bool insideMount = !wholeMount && AliasMatcher.Match(mount.UrlPattern, section.Pattern) >= 0;
                    if (wholeMount)
                    {
                        found.Add(SiteLints.Warning(section.Location, "<Location>",
                            $"access to the WSGI application {mount.Target} is controlled by URL ('{section.Pattern}'), so another URL or virtual host that reaches the same script is not covered",
                            $"put the rule in <Directory {Path.GetDirectoryName(mount.Target)}> (or <Files {Path.GetFileName(mount.Target)}> inside it), which covers the script however it is reached"));
                        break;
                    }
                    if (insideMount)
                    {
                        var other = allMounts.FirstOrDefault(m => m.Alias != mount && m.Alias.Target == mount.Target && !ReferenceEquals(m.Scope, scope)
                            && !m.Scope.Sections.Any(s => s.Kind == SectionKind.Location && s.Payload.Access != null && s.Pattern == section.Pattern));
                        if (other.Alias != null)
                        {
                            found.Add(SiteLints.Warning(section.Location, "<Location>",
                                $"'{section.Pattern}' of the WSGI application {mount.Target} is restricted here, but {other.Scope.Describe()} mounts the same script at {other.Alias.Location} without this rule",
                                $"repeat the <Location {section.Pattern}> rule there, or check access in the application"));
                        }
                        break;
                    }
                }
            }
        }
    }
}
