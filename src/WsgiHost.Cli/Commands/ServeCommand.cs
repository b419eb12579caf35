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
            .. server.Urls.Select(url => $"WsgiHost serving {ModuleEntryPoint.Describe(mount.Target)} at {url}{mount.UrlPattern}"),
            $"  python: {server.PythonDescription}",
            $"  cpu:    {WsgiHost.Server.CpuScheduling.Outcome}",
            site.DaemonGroups.Count == 0
                ? $"  mode:   embedded, {site.Threads} WSGI thread(s), application group %{{GLOBAL}}{Interpreters(site.Python.ApplicationInterpreters, server.RunsIsolatedInterpreters)}"
                : $"  mode:   daemon, {site.DaemonGroups[0].Processes} process(es) x {site.Threads} thread(s) (pids {string.Join(", ", server.DaemonPids.Values.SelectMany(p => p))}), application group %{{GLOBAL}}{Interpreters(site.Python.ApplicationInterpreters, server.RunsIsolatedInterpreters)}",
        ]);
    }

    /// <summary>
    /// The banner's note of --interpreters, true to what runs: a Python before 3.13 runs each
    /// application in one interpreter whatever was asked (the log warns too).
    /// </summary>
    /// <param name="possible">The Python in use runs several (<see cref="Server.WsgiServer.RunsIsolatedInterpreters"/>).</param>
    internal static string Interpreters(int count, bool possible) =>
        count <= 1 ? ""
        : possible ? $" in {count} interpreters with a GIL each"
        : $" in 1 interpreter ({count} asked for: that needs Python 3.13 or later)";
}
