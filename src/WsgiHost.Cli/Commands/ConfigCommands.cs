using WsgiHost.Configuration.Directives;
using WsgiHost.Configuration.Lints;
using WsgiHost.Configuration.Model;
using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Cli.Commands;

/// <summary>`wsgihost run CONFIG` and `wsgihost check CONFIG`: one reading of the file, two uses.</summary>
internal static class ConfigCommands
{
    public const string RunUsage = """
        usage: wsgihost run CONFIG.conf [options]     serve until SIGTERM (graceful: running requests finish)
          -D NAME[=VALUE]             define NAME, as httpd -D (usable as ${NAME} and in <IfDefine>)
          --python PATH               the python executable to embed (overrides WSGIPythonHome)
          --python-home DIR           a Python prefix or virtualenv to embed (overrides WSGIPythonHome)
          --server-processes N        N server processes sharing the Listen ports (SO_REUSEPORT), each with its own embedded Python, as Apache's children
          --cpu-scheduling POLICY     batch (default: a woken thread does not preempt a running one) or normal (Linux's default policy)
          --drain SECONDS             after SIGTERM, serve this long with the health check failing and
                                      connections closed after each response, then stop accepting
        """;

    public const string CheckUsage = """
        usage: wsgihost check CONFIG.conf [-D NAME[=VALUE]]...
          reports every error (exit 1) and likely mistake (warning, exit 0) with file:line and a fix
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        (string file, ConfigReaderOptions options, PythonSettings? python, int drain) = Parse(args, RunUsage, runOptions: true);
        // Of several server processes, the first alone prints the warnings: one set of them, as from one server.
        if (Load(file, options, python, drain, printWarnings: ServerProcesses.Child is not { Index: > 0 }) is not SiteConfig site)
        {
            return 1;
        }
        SiteConfigResult Reread()
        {
            SiteConfigResult again = SiteConfigBuilder.Load(file, options);
            return python == null || again.Config == null ? again
                : again with { Config = again.Config with { Python = again.Config.Python with { Executable = python.Executable, Home = python.Home } } };
        }
        return await SiteHost.RunAsync(site, server => [
            $"WsgiHost running {file}",
            .. server.Urls.Select(u => $"  listening: {u}"),
            .. site.AllScopes.Where(s => s.IsVirtualHost || s.ScriptAliases.Count > 0 || s.Aliases.Count > 0).Select(Describe),
            $"  python: {server.PythonDescription}",
            Mode(site, server),
        ], Reread).ConfigureAwait(false);
    }

    /// <summary>
    /// For the supervisor of several server processes, before it starts any: the site `run`
    /// would serve, or null after saying once why it cannot start (each server process would
    /// otherwise say it in turn). Its warnings are left to the first server process.
    /// </summary>
    public static SiteConfig? LoadToSupervise(IReadOnlyList<string> args)
    {
        (string file, ConfigReaderOptions options, PythonSettings? python, int drain) = Parse(args, RunUsage, runOptions: true);
        return Load(file, options, python, drain, printWarnings: false);
    }

    /// <summary>run's reading of the file: the site to serve, or null after printing its errors (and warnings) and that it was not started.</summary>
    private static SiteConfig? Load(string file, ConfigReaderOptions options, PythonSettings? python, int drain, bool printWarnings)
    {
        SiteConfigResult result = SiteConfigBuilder.Load(file, options);
        // run prints what stops it and what may surprise; notes are for check.
        if (printWarnings || result.Config == null)
        {
            Print(result.Diagnostics.Where(d => d.Severity != DiagnosticSeverity.Note));
        }
        if (result.Config is not SiteConfig site)
        {
            Console.Error.WriteLine($"wsgihost: {file}: not started, fix the errors above (wsgihost check {file} lists them all)");
            return null;
        }
        if (python != null)
        {
            if (printWarnings && site.Python.Home is string home && site.Python.HomeLocation is { } at)
            {
                // A site's virtualenv silently left out would run the app on other packages.
                Console.Error.WriteLine($"{at}: warning: WSGIPythonHome: {home} is not used: {(python.Executable != null ? $"--python {python.Executable}" : $"--python-home {python.Home}")} given to run replaces it (leave the option out to embed the site's own Python)");
            }
            site = site with { Python = site.Python with { Executable = python.Executable, Home = python.Home } };
        }
        return site with { DrainSeconds = drain };
    }

    public static int Check(IReadOnlyList<string> args)
    {
        (string file, ConfigReaderOptions options, _, _) = Parse(args, CheckUsage, runOptions: false);
        SiteConfigResult result = SiteConfigBuilder.Load(file, options);
        var diagnostics = result.Diagnostics.ToList();
        if (result.Config is SiteConfig site)
        {
            diagnostics.AddRange(SiteLints.Run(site));
        }
        Print(diagnostics);
        int errors = diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error);
        int warnings = diagnostics.Count(d => d.Severity == DiagnosticSeverity.Warning);
        Console.Out.WriteLine($"{file}: {errors} error(s), {warnings} warning(s)");
        return errors > 0 ? 1 : 0;
    }

    /// <summary>The last startup line: what runs in the server process and in which daemon groups.</summary>
    private static string Mode(SiteConfig site, Server.WsgiServer server)
    {
        string embedded = site.RestrictEmbedded ? "no embedded applications (WSGIRestrictEmbedded On)"
            : EveryMountInADaemonGroup(site) ? $"every mount runs in a daemon group; the server's own Python ({site.Threads} WSGI thread(s)) serves none of them (WSGIRestrictEmbedded On leaves it out)"
            : $"embedded, {site.Threads} WSGI thread(s){ServeCommand.Interpreters(site.Python.ApplicationInterpreters, server.RunsIsolatedInterpreters)}";
        var groups = site.DaemonGroups.Select(g =>
            $"{g.Name} ({g.EffectiveProcesses} x {g.Threads} threads{ServeCommand.Interpreters(g.EffectiveInterpreters(site.Python), server.RunsIsolatedInterpreters)}, pids {string.Join(", ", server.DaemonPids.GetValueOrDefault(g.Name) ?? [])})");
        return site.DaemonGroups.Count == 0 ? $"  mode:   {embedded}" : $"  mode:   {embedded}; daemon groups: {string.Join("; ", groups)}";
    }

    /// <summary>
    /// Whether each mount, as configured, names one of the daemon groups: the embedded
    /// threads then only wait (a %{ENV:...} group is decided per request, so it does not count).
    /// </summary>
    private static bool EveryMountInADaemonGroup(SiteConfig site)
    {
        var mounts = LintMount.All(site).ToList();
        return mounts.Count > 0 && mounts.All(m => site.DaemonGroups.Any(g => g.Name == m.ProcessGroup));
    }

    private static string Describe(ServerScope scope) =>
        $"  {(scope.IsVirtualHost ? $"<VirtualHost {string.Join(' ', scope.Addresses)}> {scope.ServerName ?? "(no ServerName)"}" : "main server")}: " +
        string.Join(", ", scope.ScriptAliases.Select(a => $"{a.UrlPattern} -> {a.Target}").Concat(scope.Aliases.Select(a => $"{a.UrlPattern} -> {a.Target} (static)"))
            .Concat(scope is { DocumentRoot: { } root, ServesDocumentRoot: true } ? [$"DocumentRoot {root} (static, for what nothing else maps)"] : []));

    private static void Print(IEnumerable<ConfigDiagnostic> diagnostics)
    {
        foreach (ConfigDiagnostic d in diagnostics.OrderBy(d => d.Location.File, StringComparer.Ordinal).ThenBy(d => d.Location.Line))
        {
            string severity = d.Severity switch { DiagnosticSeverity.Error => "error", DiagnosticSeverity.Warning => "warning", _ => "note" };
            (d.Severity == DiagnosticSeverity.Note ? Console.Out : Console.Error).WriteLine($"{d.Location}: {severity}: {(d.Directive.Length > 0 ? d.Directive + ": " : "")}{d.Message}{(d.Fix != null ? $" (fix: {d.Fix})" : "")}");
        }
    }

    /// <param name="runOptions">Accept run's options (--python, --python-home, --drain).</param>
    private static (string File, ConfigReaderOptions Options, PythonSettings? Python, int DrainSeconds) Parse(IReadOnlyList<string> args, string usage, bool runOptions)
    {
        string? file = null;
        int drain = 0;
        string? python = null, pythonHome = null;
        var defines = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg == "-D" && i + 1 < args.Count)
            {
                string define = args[++i];
                int eq = define.IndexOf('=');
                defines[eq < 0 ? define : define[..eq]] = eq < 0 ? "" : define[(eq + 1)..];
            }
            else if (runOptions && arg is "--python" or "--python-home" && i + 1 < args.Count)
            {
                _ = arg == "--python" ? python = ServeOptionsParser.PythonOption(args[++i]) : pythonHome = Path.GetFullPath(args[++i]);
            }
            else if (runOptions && arg == "--drain" && i + 1 < args.Count)
            {
                drain = ServeOptionsParser.Int(arg, args[++i], 0, 3600);
            }
            else if (arg.StartsWith('-'))
            {
                throw new UsageException($"unknown option '{arg}'\n{usage}");
            }
            else if (file != null)
            {
                throw new UsageException($"one configuration file, got '{file}' and '{arg}'\n{usage}");
            }
            else
            {
                file = arg;
            }
        }
        if (file == null)
        {
            throw new UsageException($"the configuration file is missing\n{usage}");
        }
        if (!File.Exists(file))
        {
            throw new UsageException($"configuration file '{file}' does not exist");
        }
        if (python != null && pythonHome != null)
        {
            throw new UsageException("give --python or --python-home, not both");
        }
        PythonSettings? settings = python != null || pythonHome != null ? new PythonSettings { Executable = python, Home = pythonHome } : null;
        return (file, new ConfigReaderOptions { Defines = defines }, settings, drain);
    }
}
