using WsgiHost.Configuration.Model;

namespace WsgiHost.Cli.Commands;

/// <summary>`wsgihost serve`: serve one WSGI script until SIGINT or SIGTERM, through the same path as `run`.</summary>
internal static class ServeCommand
{
    public static Task<int> RunAsync(IReadOnlyList<string> args)
    {
        SiteConfig site = ServeOptionsParser.Parse(args);
        ScriptAliasConfig mount = site.MainServer.ScriptAliases[0];
        return SiteHost.RunAsync(site, server => [
            .. server.Urls.Select(url => $"WsgiHost serving {mount.Target} at {url}{mount.UrlPattern}"),
            $"  python: {server.PythonDescription}",
            $"  cpu:    {WsgiHost.Server.CpuScheduling.Outcome}",
            site.DaemonGroups.Count == 0
                ? $"  mode:   embedded, {site.Threads} WSGI thread(s), application group %{{GLOBAL}}{Interpreters(site.Python.ApplicationInterpreters)}"
                : $"  mode:   daemon, {site.DaemonGroups[0].Processes} process(es) x {site.Threads} thread(s) (pids {string.Join(", ", server.DaemonPids.Values.SelectMany(p => p))}), application group %{{GLOBAL}}{Interpreters(site.Python.ApplicationInterpreters)}",
        ]);
    }

    /// <summary>The banner's note of --interpreters; the log says so if this Python cannot.</summary>
    internal static string Interpreters(int count) => count > 1 ? $" in {count} interpreters with a GIL each" : "";
}
