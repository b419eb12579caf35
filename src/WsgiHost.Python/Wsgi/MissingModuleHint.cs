using System.Text.RegularExpressions;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Python.Wsgi;

/// <summary>
/// What to do when a script fails to load with ModuleNotFoundError for a module that sits in a
/// folder above the script: the classic Django layout (serve mysite/wsgi.py from the project, where
/// 'mysite' is the folder above wsgi.py) has only the script's own folder on sys.path. The
/// traceback alone leaves the operator guessing; the hint names the folder and the option.
/// </summary>
internal static partial class MissingModuleHint
{
    [GeneratedRegex(@"^No module named '([^'.]+)")]
    private static partial Regex ModuleName();

    /// <summary>"\n..." with the folder that has the module and how to add it, or "" when it is not a missing module there is one for.</summary>
    public static string For(PythonException e, string scriptPath)
    {
        if (e.TypeName != "ModuleNotFoundError" || ModuleName().Match(e.Text) is not { Success: true } match)
        {
            return "";
        }
        string module = match.Groups[1].Value;
        // From the folder above the script's: the script's own is on sys.path already.
        string? folder = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(scriptPath)));
        for (int up = 0; folder != null && up < 3; up++, folder = Path.GetDirectoryName(folder))
        {
            if (Directory.Exists(Path.Combine(folder, module)) || File.Exists(Path.Combine(folder, module + ".py")))
            {
                return $"\nThe module '{module}' is in {folder}, which is not on sys.path: add it with --python-path {folder} (serve), " +
                    $"python-path={folder} (WSGIDaemonProcess) or WSGIPythonPath {folder}.";
            }
        }
        return "";
    }
}
