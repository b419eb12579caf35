using System.Text.RegularExpressions;
using WsgiHost.Access;
using WsgiHost.Configuration.Model;
using WsgiHost.Configuration.Syntax;
using WsgiHost.Routing;

namespace WsgiHost.Configuration.Lints;

/// <summary>Lints of daemon groups and of what shares a process.</summary>
internal static partial class GroupLints
{
    /// <summary>A WSGIDaemonProcess nothing delegates to: its processes would start and serve nothing.</summary>
    public static void UnusedDaemonGroups(SiteConfig site, List<ConfigDiagnostic> found)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        bool dynamic = false;
        foreach (ServerScope scope in site.AllScopes)
        {
            foreach (string? value in scope.ScriptAliases.Select(a => a.Options.ProcessGroup)
                .Append(scope.Defaults.ProcessGroup).Concat(scope.Sections.Select(s => s.Payload.Settings.ProcessGroup)))
            {
                if (value == null)
                {
                    continue;
                }
                if (GroupLabels.IsStatic(value))
                {
                    used.Add(value);
                }
                else
                {
                    dynamic = true;
                }
            }
        }
        used.UnionWith(site.ImportScripts.Select(i => i.ProcessGroup));
        if (dynamic)
        {
            return; // a %{ENV:...} or %{SERVER} selection may name any group at request time
        }
        foreach (DaemonGroupConfig group in site.DaemonGroups.Where(g => !used.Contains(g.Name)))
        {
            found.Add(SiteLints.Warning(group.Location, "WSGIDaemonProcess",
                $"nothing delegates to the daemon group '{group.Name}': no WSGIProcessGroup or process-group= names it, so its applications run embedded instead",
                $"add WSGIProcessGroup {group.Name} where its WSGIScriptAlias is (or process-group={group.Name} on the alias), or remove the group"));
        }
    }

    /// <summary>
    /// Apache's User with a daemon group whose workers run as someone else: a server started as
    /// root then stays root to start them (ServerIdentity), so it parses requests, and runs
    /// embedded applications, as root, where Apache's children run as User. By the ids the names
    /// have here (user= alone runs as that user's own group, which may be Group), else by the
    /// names as written: `check` may run where the users do not exist.
    /// </summary>
    public static void RootKeptForADaemonGroup(SiteConfig site, List<ConfigDiagnostic> found)
    {
        if (site.User is not string user || user is "root" or "#0"
            || site.DaemonGroups.FirstOrDefault(g => !SameIdentity(Daemon.DaemonGroups.WorkerIdentity(site, g, root: true), (site.User, site.Group))) is not { } other)
        {
            return;
        }
        string identity = $"user={other.User ?? user}{(other.Group != null ? $" group={other.Group}" : "")}";
        string fix = $"give daemon group '{other.Name}' the server's User and Group (or no user=/group=): the server then becomes {user} once started";
        found.Add(SiteLints.Warning(other.Location, "WSGIDaemonProcess",
            $"daemon group '{other.Name}' runs as {identity}, not as User {user}: a server started as root stays root to start it, so it parses requests as root, where Apache's children run as {user}",
            fix));
        if (site.RestrictEmbedded)
        {
            return;
        }
        foreach (LintMount mount in LintMount.All(site).Where(m => m.ProcessGroup.Length == 0).DistinctBy(m => m.Alias))
        {
            found.Add(SiteLints.Warning(mount.Alias.Location, mount.Alias.DirectiveName,
                $"{mount.Alias.Target} runs embedded, in a server that stays root (for daemon group '{other.Name}', {identity}), where Apache runs it as User {user}",
                $"{fix}; or run the application in a daemon group"));
        }
    }

    private static bool SameIdentity((string? User, string? Group) worker, (string? User, string? Group) server)
    {
        if (worker == server)
        {
            return true;
        }
        try
        {
            return Daemon.DaemonIdentity.Resolve(worker.User, worker.Group) is var (uid, gid, _)
                && Daemon.DaemonIdentity.Resolve(server.User, server.Group) is var (serverUid, serverGid, _)
                && uid == serverUid && gid == serverGid;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// Two or more scripts in one interpreter where one uses os.environ.setdefault: the first
    /// script's value (DJANGO_SETTINGS_MODULE) wins for all of them. Under mod_wsgi every
    /// interpreter of a process shares it (os.environ writes reach the process environment);
    /// WsgiHost starts each sub-interpreter from the start environment, so there only scripts
    /// sharing an interpreter collide, and scripts in other interpreters get a note.
    /// </summary>
    public static void SharedEnvironSetdefault(SiteConfig site, List<ConfigDiagnostic> found)
    {
        var byProcess = LintMount.All(site)
            .GroupBy(m => m.ProcessGroup)
            .Select(g => g.DistinctBy(m => m.Alias.Target).ToList())
            .Where(g => g.Count > 1);
        foreach (var mounts in byProcess)
        {
            // Two Django sites in one interpreter: Django sets itself up once, from the settings
            // of whichever loads first, however each script sets DJANGO_SETTINGS_MODULE.
            var djangoShared = new HashSet<LintMount>();
            foreach (var sharing in mounts.GroupBy(m => m.Interpreter).Select(g => g.Where(m => SetsDjangoSettings(m.Alias.Target)).ToList()).Where(g => g.Count > 1))
            {
                string where = sharing[0].ProcessGroup.Length == 0 ? "the server process" : $"the daemon group '{sharing[0].ProcessGroup}'";
                foreach (LintMount mount in sharing.Skip(1))
                {
                    djangoShared.Add(mount);
                    found.Add(SiteLints.Warning(mount.Alias.Location, mount.Alias.DirectiveName,
                        $"{mount.Alias.Target} and {sharing[0].Alias.Target} both set DJANGO_SETTINGS_MODULE and share one interpreter (application group {mount.ApplicationGroup}) in {where}: Django sets itself up once, with the settings of whichever loads first, and serves that site for both",
                        "give each Django site its own WSGIApplicationGroup (for example %{SERVER} or %{RESOURCE}) or its own daemon group"));
                }
            }
            foreach (LintMount mount in mounts.Where(m => !djangoShared.Contains(m) && UsesSetdefault(m.Alias.Target)))
            {
                string where = mount.ProcessGroup.Length == 0 ? "the server process" : $"the daemon group '{mount.ProcessGroup}'";
                var shared = mounts.Where(m => m.Alias != mount.Alias && m.Interpreter == mount.Interpreter).Select(m => m.Alias.Target).ToList();
                if (shared.Count > 0)
                {
                    found.Add(SiteLints.Warning(mount.Alias.Location, mount.Alias.DirectiveName,
                        $"{mount.Alias.Target} calls os.environ.setdefault and shares one interpreter (application group {mount.ApplicationGroup}) in {where} with {string.Join(", ", shared)}: whichever loads first sets the value for all of them (Django's DJANGO_SETTINGS_MODULE leaks between sites)",
                        "give each application its own WSGIApplicationGroup (or daemon group): in one interpreter, Django (and most frameworks) set themselves up once for the first site's settings, so writing os.environ[...] instead of setdefault does not separate them"));
                    continue;
                }
                var others = mounts.Where(m => m.Alias != mount.Alias).Select(m => m.Alias.Target);
                found.Add(new ConfigDiagnostic(DiagnosticSeverity.Note, mount.Alias.Location, mount.Alias.DirectiveName,
                    $"{mount.Alias.Target} calls os.environ.setdefault and shares {where} with {string.Join(", ", others)}: WsgiHost keeps os.environ apart per interpreter, but under Apache + mod_wsgi this leaks the first site's value into the others",
                    "write os.environ['DJANGO_SETTINGS_MODULE'] = '...' if the configuration must also run under mod_wsgi"));
            }
        }
    }

    private static bool UsesSetdefault(string script) => ScriptMatches(script, SetdefaultCall());

    private static bool SetsDjangoSettings(string script) => ScriptMatches(script, DjangoSettings());

    private static bool ScriptMatches(string script, Regex pattern)
    {
        try
        {
            return pattern.IsMatch(File.ReadAllText(script));
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^[^#\n]*os\.environ\.setdefault\s*\(", RegexOptions.Multiline)]
    private static partial Regex SetdefaultCall();

    /// <summary>A line that sets DJANGO_SETTINGS_MODULE: os.environ.setdefault('DJANGO_SETTINGS_MODULE', ...) or os.environ['DJANGO_SETTINGS_MODULE'] = ...</summary>
    [GeneratedRegex(@"^[^#\n]*os\.environ(\.setdefault\s*\(\s*|\s*\[\s*)['""]DJANGO_SETTINGS_MODULE['""]", RegexOptions.Multiline)]
    private static partial Regex DjangoSettings();

    /// <summary>WSGIPythonHome / python-home= must be a Python prefix or virtualenv.</summary>
    public static void PythonHomes(SiteConfig site, List<ConfigDiagnostic> found)
    {
        var homes = site.DaemonGroups.Where(g => g.PythonHome != null).Select(g => (Home: g.PythonHome!, g.Location, Directive: "WSGIDaemonProcess"));
        if (site.Python.Home != null)
        {
            homes = homes.Prepend((site.Python.Home, site.Python.HomeLocation ?? site.MainServer.Location, "WSGIPythonHome"));
        }
        foreach (var (home, location, directive) in homes)
        {
            if (!IsPythonPrefix(home))
            {
                found.Add(SiteLints.Warning(location, directive,
                    $"'{home}' is not a Python prefix or virtualenv: it has no pyvenv.cfg and no lib/python3.X folder",
                    $"give the folder that is sys.prefix of the Python to use (run: python3 -c 'import sys; print(sys.prefix)')"));
            }
        }
    }

    internal static bool IsPythonPrefix(string home) =>
        File.Exists(Path.Combine(home, "pyvenv.cfg"))
        || (Directory.Exists(Path.Combine(home, "lib")) && Directory.EnumerateDirectories(Path.Combine(home, "lib"), "python3*").Any());

    /// <summary>
    /// More interpreters per application than cores: each holds a copy of the application, and
    /// only Python on more cores than there are is gained (requests that wait on I/O need
    /// threads, not interpreters).
    /// </summary>
    public static void InterpretersBeyondCores(SiteConfig site, int cores, List<ConfigDiagnostic> found)
    {
        var settings = site.DaemonGroups.Where(g => g.Interpreters != null).Select(g => (Count: g.Interpreters!.Value, At: g.Location, Directive: "WSGIDaemonProcess", What: $"'{g.Name}' runs each application"));
        if (site.Python.ApplicationInterpretersLocation is { } at)
        {
            settings = settings.Prepend((site.Python.ApplicationInterpreters, at, "WSGIApplicationInterpreters", "each application runs"));
        }
        foreach (var (count, location, directive, what) in settings.Where(s => s.Count > cores))
        {
            found.Add(SiteLints.Warning(location, directive,
                $"{what} in {count} interpreters on {cores} CPU core(s): each holds its own copy of the application, and more than one per core adds memory, not throughput",
                $"use at most {cores} (threads= serve requests that wait on I/O)"));
        }
    }

    /// <summary>Fewer request threads than interpreters: the extra interpreters can never all run at once.</summary>
    public static void InterpretersBeyondThreads(SiteConfig site, List<ConfigDiagnostic> found)
    {
        if (site.Python.ApplicationInterpretersLocation is { } at && !site.RestrictEmbedded && site.Threads < site.Python.ApplicationInterpreters)
        {
            found.Add(SiteLints.Warning(at, "WSGIApplicationInterpreters",
                $"embedded applications run in {site.Python.ApplicationInterpreters} interpreters but the server has {site.Threads} WSGI thread(s): at most {site.Threads} of them run at once",
                $"ThreadsPerChild {site.Python.ApplicationInterpreters} or more"));
        }
        foreach (DaemonGroupConfig group in site.DaemonGroups)
        {
            int interpreters = group.EffectiveInterpreters(site.Python);
            if (interpreters > 1 && group.Threads < interpreters)
            {
                found.Add(SiteLints.Warning(group.Location, "WSGIDaemonProcess",
                    $"'{group.Name}' runs each application in {interpreters} interpreters with threads={group.Threads}: at most {group.Threads} of them run at once",
                    $"threads={interpreters} or more"));
            }
        }
    }

    /// <summary>processes x threads far beyond the cores: memory and GIL contention, no throughput.</summary>
    public static void ThreadsBeyondCores(SiteConfig site, int cores, List<ConfigDiagnostic> found)
    {
        foreach (DaemonGroupConfig group in site.DaemonGroups)
        {
            int total = group.EffectiveProcesses * Math.Max(1, group.Threads);
            // Python threads share one GIL per process: past ~4 per core they add memory and
            // latency, not throughput, unless requests mostly wait on I/O.
            if (total > cores * 16 || group.EffectiveProcesses > cores * 4)
            {
                found.Add(SiteLints.Warning(group.Location, "WSGIDaemonProcess",
                    $"'{group.Name}' runs {group.EffectiveProcesses} process(es) x {group.Threads} thread(s) = {total} request threads on {cores} CPU core(s)",
                    $"start near processes={Math.Max(1, cores)} threads=15 and raise it only when measurements show requests waiting"));
            }
        }
    }
}
