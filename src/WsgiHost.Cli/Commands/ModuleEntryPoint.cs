using System.Text.RegularExpressions;

namespace WsgiHost.Cli.Commands;

/// <summary>
/// serve --application-type module: the app is a module imported by its dotted name
/// (<c>mysite.wsgi</c>, as Django's WSGI_APPLICATION names it), not a script file. As
/// mod_wsgi-express does (its handler.wsgi in the server root), serve writes a two-line script
/// that imports the module, and serves that: the module is imported as a module, so its
/// package, relative imports and <c>__name__</c> are what the app's own code expects.
/// </summary>
internal static partial class ModuleEntryPoint
{
    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")]
    private static partial Regex DottedName();

    // The scripts written by this process, and the module each imports (for the banner).
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Written = new(StringComparer.Ordinal);

    /// <summary>How to name what <paramref name="scriptPath"/> serves: "the module M (callable)" for a script written here, else the path.</summary>
    public static string Describe(string scriptPath) => Written.TryGetValue(scriptPath, out string? module) ? $"the module {module}" : scriptPath;

    /// <summary>Whether an app that is not a file could have been meant as a module: a dotted name (mysite.wsgi), not a .py file's.</summary>
    public static bool CouldBeModule(string app) => app.Contains('.') && !app.EndsWith(".py", StringComparison.Ordinal) && DottedName().IsMatch(app);

    /// <summary>Writes the script for <paramref name="module"/>'s <paramref name="callable"/> and returns its path; it is removed when the process exits.</summary>
    /// <exception cref="UsageException">The name is not a Python module's dotted name.</exception>
    public static string Write(string module, string callable)
    {
        if (!DottedName().IsMatch(module))
        {
            throw new UsageException($"--application-type module takes a module's dotted name such as mysite.wsgi, got '{module}'" +
                (module.EndsWith(".py", StringComparison.Ordinal) || module.Contains('/') ? " (for a file, leave out --application-type module)" : ""));
        }
        if (!DottedName().IsMatch(callable) || callable.Contains('.'))
        {
            throw new UsageException($"--callable-object must be a Python name, got '{callable}'");
        }
        // A folder of its own (created 0700, so no other user can have put anything there), then
        // opened to reading: worker processes may run as --user.
        DirectoryInfo folder = Directory.CreateTempSubdirectory("wsgihost-serve-");
        string script = Path.Combine(folder.FullName, "module.wsgi");
        File.WriteAllText(script,
            $"# Written by wsgihost serve --application-type module: the app is {module}.{callable},\n" +
            $"# imported by name as mod_wsgi-express imports it.\n" +
            $"import importlib\n" +
            $"application = importlib.import_module('{module}').{callable}\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            folder.UnixFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        }
        Written[script] = $"{module} ({callable})";
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                folder.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        };
        return script;
    }
}
