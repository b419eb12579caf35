using WsgiHost.Configuration.Model;

namespace WsgiHost.Cli.Commands;

/// <summary>`wsgihost serve`: serve one WSGI script until SIGINT or SIGTERM, through the same path as `run`.</summary>
internal static partial class ServeCommand
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
                ? $"  mode:   embedded, {site.Threads} WSGI thread(s), application group %{{GLOBAL}}{Interpreters(site.Python.ApplicationInterpreters, server.PythonDescription)}"
                : $"  mode:   daemon, {site.DaemonGroups[0].Processes} process(es) x {site.Threads} thread(s) (pids {string.Join(", ", server.DaemonPids.Values.SelectMany(p => p))}), application group %{{GLOBAL}}{Interpreters(site.Python.ApplicationInterpreters, server.PythonDescription)}",
        ]);
    }

    /// <summary>
    /// The banner's note of --interpreters, true to what runs: a Python before 3.13 runs each
    /// application in one interpreter whatever was asked (the log warns too).
    /// </summary>
    /// <param name="python">The Python in use as the banner describes it ("Python 3.11.2 (...)").</param>
    internal static string Interpreters(int count, string python)
    {
        if (count <= 1)
        {
            return "";
        }
        return PythonVersion().Match(python) is { Success: true } v && (int.Parse(v.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(v.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)) is var (major, minor) && major == 3 && minor < 13
            ? $" in 1 interpreter ({count} asked for: that needs Python 3.13 or later)"
            : $" in {count} interpreters with a GIL each";
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"Python (\d+)\.(\d+)")]
    private static partial System.Text.RegularExpressions.Regex PythonVersion();
}
