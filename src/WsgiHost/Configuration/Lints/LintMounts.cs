using WsgiHost.Access;
using WsgiHost.Configuration.Model;
using WsgiHost.Routing;

namespace WsgiHost.Configuration.Lints;

/// <summary>A WSGIScriptAlias with an existing script and the per-directory settings and access rules that apply to it.</summary>
internal readonly record struct LintMount(ServerScope Scope, ScriptAliasConfig Alias, PerDirSettings Settings, AccessRules? Access)
{
    /// <summary>The process group as written, "" for embedded (%{GLOBAL} or none).</summary>
    public string ProcessGroup => (Alias.Options.ProcessGroup ?? Settings.ProcessGroup ?? GroupLabels.Global) is var p && p == GroupLabels.Global ? "" : p;

    /// <summary>The application group as written; Apache's default is %{RESOURCE}.</summary>
    public string ApplicationGroup => Alias.Options.ApplicationGroup ?? Settings.ApplicationGroup ?? GroupLabels.Resource;

    /// <summary>
    /// Which interpreter it runs in, as far as the configuration tells: %{GLOBAL} is the main
    /// one, %{RESOURCE} one per virtual host and mount, a name one per name.
    /// </summary>
    public string Interpreter => ApplicationGroup switch
    {
        GroupLabels.Global => "",
        GroupLabels.Resource => $"{Scope.ServerName}|{Alias.UrlPattern}",
        var name => name,
    };

    /// <summary>Every script alias of the site whose script exists, with its merged settings.</summary>
    public static IEnumerable<LintMount> All(SiteConfig site)
    {
        foreach (ServerScope scope in site.AllScopes)
        {
            foreach (ScriptAliasConfig alias in scope.ScriptAliases.Where(a => File.Exists(a.Target)))
            {
                yield return In(site, scope, alias);
            }
        }
    }

    /// <summary>
    /// The access rules a mount's requests meet in each host that serves it: a mount of the main
    /// server is inherited by every virtual host, whose own sections apply to it there (a
    /// &lt;Directory&gt; grant written inside the only &lt;VirtualHost&gt; lets its requests in).
    /// </summary>
    public static IEnumerable<AccessRules?> RulesWhereServed(SiteConfig site, LintMount mount) =>
        mount.Scope.IsVirtualHost ? [mount.Access] : [mount.Access, .. site.VirtualHosts.Select(host => In(site, host, mount.Alias).Access)];

    private static LintMount In(SiteConfig site, ServerScope scope, ScriptAliasConfig alias)
    {
        var sections = new SectionWalk<SectionPayload>(scope.IsVirtualHost ? [.. site.MainServer.Sections, .. scope.Sections] : scope.Sections);
        PerDirSettings defaults = scope.IsVirtualHost ? site.MainServer.Defaults.Merge(scope.Defaults) : scope.Defaults;
        IReadOnlyList<SectionPayload> applicable = sections.Applicable(alias.UrlPattern, alias.Target);
        return new LintMount(scope, alias, applicable.Aggregate(defaults, (s, p) => s.Merge(p.Settings)), AccessRules.MergeAll(applicable.Select(p => p.Access)));
    }
}
