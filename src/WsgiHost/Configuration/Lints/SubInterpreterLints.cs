using System.Text.RegularExpressions;
using WsgiHost.Access;
using WsgiHost.Configuration.Model;
using WsgiHost.Configuration.Syntax;
using WsgiHost.Routing;

namespace WsgiHost.Configuration.Lints;

/// <summary>
/// Apps in a sub-interpreter that import an extension module known to fail or hang there:
/// mod_wsgi's most reported problem, found before the first request instead of after. Apps in
/// the main interpreter too when they also run in extra isolated interpreters
/// (WSGIApplicationInterpreters, interpreters=).
/// </summary>
internal static partial class SubInterpreterLints
{
    /// <summary>Top-level packages that refuse or break in sub-interpreters, and why.</summary>
    private static readonly Dictionary<string, string> Offenders = new(StringComparer.Ordinal)
    {
        ["numpy"] = "numpy does not support sub-interpreters (it warns, then fails or misbehaves)",
        ["scipy"] = "scipy is built on numpy, which does not support sub-interpreters",
        ["pandas"] = "pandas is built on numpy, which does not support sub-interpreters",
        ["pydantic_core"] = "pydantic_core is a PyO3 module, which can be initialised only once per process",
        ["pydantic"] = "pydantic 2 loads pydantic_core, a PyO3 module that can be initialised only once per process",
        ["cryptography"] = "cryptography's Rust (PyO3) core can be initialised only once per process",
        ["bcrypt"] = "bcrypt 4 is a PyO3 module, which can be initialised only once per process",
        ["orjson"] = "orjson is a PyO3 module, which can be initialised only once per process",
        ["rpds"] = "rpds (used by jsonschema) is a PyO3 module, which can be initialised only once per process",
        ["jiter"] = "jiter is a PyO3 module, which can be initialised only once per process",
        ["grpc"] = "grpc uses the PyGILState API, which deadlocks in sub-interpreters",
    };

    /// <summary>Files read per application at most, so a check stays quick on a large tree.</summary>
    private const int MaxFiles = 2000;

    public static void OffendingImports(SiteConfig site, List<ConfigDiagnostic> found)
    {
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (LintMount mount in LintMount.All(site))
        {
            ScriptAliasConfig alias = mount.Alias;
            (int interpreters, SourceLocation? setAt, string directive) = Interpreters(site, mount.ProcessGroup);
            bool global = mount.ApplicationGroup == GroupLabels.Global;
            if ((global && interpreters <= 1) || !reported.Add(alias.Target))
            {
                continue;
            }
            if (FindOffender(alias.Target, site.Python.Path) is not (string module, string file, int line))
            {
                continue;
            }
            if (global)
            {
                // The main interpreter takes it; the extra ones refuse it, and are left out at
                // run time: the app serves, on one core instead of several.
                found.Add(SiteLints.Warning(setAt ?? alias.Location, directive,
                    $"{alias.Target} runs in {interpreters} interpreters, the extra ones isolated sub-interpreters, and imports {module} ({file}:{line}): {Offenders[module]}, so only its first interpreter can serve it",
                    "run it in one interpreter (WSGIApplicationInterpreters 1, or interpreters=1 on its WSGIDaemonProcess) and use processes for more cores (processes=, --server-processes)"));
                continue;
            }
            found.Add(SiteLints.Warning(alias.Location, alias.DirectiveName,
                $"{alias.Target} runs in a sub-interpreter (application group {mount.ApplicationGroup}) and imports {module} ({file}:{line}): {Offenders[module]}",
                "serve it from the main interpreter: add application-group=%{GLOBAL} to this line (or WSGIApplicationGroup %{GLOBAL})"));
        }
    }

    /// <summary>How many interpreters an app of this process group runs in ("" embedded), and the directive that says so.</summary>
    private static (int Count, SourceLocation? At, string Directive) Interpreters(SiteConfig site, string processGroup)
    {
        DaemonGroupConfig? group = processGroup.Length == 0 ? null : site.DaemonGroups.FirstOrDefault(g => g.Name == processGroup);
        int count = group?.EffectiveInterpreters(site.Python) ?? site.Python.ApplicationInterpreters;
        // Where the count was written: the group's own interpreters=, else the site's directive.
        return group?.Interpreters != null
            ? (count, group.Location, "WSGIDaemonProcess")
            : (count, site.Python.ApplicationInterpretersLocation, "WSGIApplicationInterpreters");
    }

    /// <summary>The first offending import in the script or the Python files of its folder and python-path.</summary>
    private static (string Module, string File, int Line)? FindOffender(string script, IReadOnlyList<string> pythonPath)
    {
        int read = 0;
        foreach (string file in Candidates(script, pythonPath))
        {
            if (++read > MaxFiles)
            {
                break;
            }
            string[] lines;
            try
            {
                lines = File.ReadAllLines(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            for (int i = 0; i < lines.Length; i++)
            {
                Match m = ImportLine().Match(lines[i]);
                if (m.Success && Offenders.ContainsKey(m.Groups[1].Value))
                {
                    return (m.Groups[1].Value, file, i + 1);
                }
            }
        }
        return null;
    }

    private static IEnumerable<string> Candidates(string script, IReadOnlyList<string> pythonPath)
    {
        yield return script;
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, MaxRecursionDepth = 6 };
        foreach (string root in pythonPath.Prepend(Path.GetDirectoryName(script)!).Distinct(StringComparer.Ordinal).Where(Directory.Exists))
        {
            foreach (string file in Directory.EnumerateFiles(root, "*.py", options))
            {
                // Installed packages are the offenders themselves, not the app importing them.
                if (!file.Contains("/site-packages/", StringComparison.Ordinal) && !file.Contains("/dist-packages/", StringComparison.Ordinal)
                    && !file.Contains("/node_modules/", StringComparison.Ordinal))
                {
                    yield return file;
                }
            }
        }
    }

    [GeneratedRegex(@"^\s*(?:from|import)\s+([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex ImportLine();
}
