using WsgiHost.Configuration.Model;
using WsgiHost.Routing;

namespace WsgiHost.Server;

/// <summary>
/// mod_wsgi's per-request choice of where a script runs: the process group, the application
/// group and the callable, from the script alias's options over the merged per-directory
/// directives, with %{...} labels expanded (wsgi_process_group / wsgi_application_group).
/// </summary>
internal readonly record struct WsgiTarget(string ProcessGroup, string ApplicationGroup, string CallableObject, bool PassAuthorization)
{
    /// <summary>The target, or the status and log message mod_wsgi gives when the process group cannot be used.</summary>
    public static (WsgiTarget Target, int Status, string? Error) Resolve(
        ScriptAliasConfig alias, PerDirSettings settings, SiteConfig site, ScopeRuntime scope, in GroupLabels.RequestFacts facts)
    {
        string processGroup = GroupLabels.ExpandProcessGroup(alias.Options.ProcessGroup ?? settings.ProcessGroup, facts);
        string applicationGroup = GroupLabels.ExpandApplicationGroup(alias.Options.ApplicationGroup ?? settings.ApplicationGroup, facts);
        string callable = alias.Options.CallableObject ?? settings.CallableObject ?? "application";
        if (callable.StartsWith("%{ENV:", StringComparison.Ordinal) && callable.EndsWith('}'))
        {
            callable = facts.Environment(callable[6..^1]) ?? "application";
        }
        var target = new WsgiTarget(processGroup, applicationGroup, callable, alias.Options.PassAuthorization ?? settings.PassAuthorization ?? false);

        if (settings.RestrictProcess is { } allowed && !allowed.Contains(processGroup))
        {
            return (target, 500, $"Daemon process called '{processGroup}' cannot be accessed by this WSGI application: WSGIRestrictProcess allows {string.Join(", ", allowed.Select(a => a.Length == 0 ? "%{GLOBAL}" : a))}");
        }
        if (processGroup.Length == 0)
        {
            return site.RestrictEmbedded
                ? (target, 500, "Embedded mode of mod_wsgi disabled by runtime configuration (WSGIRestrictEmbedded On); set WSGIProcessGroup to a daemon group")
                : (target, 0, null);
        }
        DaemonGroupConfig? group = FindGroup(site, processGroup);
        if (group == null)
        {
            return (target, 500, $"No WSGI daemon process called '{processGroup}' has been configured");
        }
        if (group.OwnerServerName != null && !string.Equals(group.OwnerServerName, scope.ServerName, StringComparison.OrdinalIgnoreCase))
        {
            return (target, 500, $"Daemon process called '{processGroup}' cannot be accessed by this WSGI application: it belongs to the virtual host of {group.OwnerServerName}");
        }
        return (target, 0, null);
    }

    // An indexed loop, not FirstOrDefault: a lambda capturing processGroup made the compiler
    // allocate its closure at the top of Resolve, for every request, embedded ones included
    // (and foreach over the interface would box an enumerator).
    private static DaemonGroupConfig? FindGroup(SiteConfig site, string name)
    {
        IReadOnlyList<DaemonGroupConfig> groups = site.DaemonGroups;
        for (int i = 0; i < groups.Count; i++)
        {
            if (groups[i].Name == name)
            {
                return groups[i];
            }
        }
        return null;
    }
}
