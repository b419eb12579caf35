using System.Diagnostics;
using System.Text.Json;

namespace WsgiHost.Python.Runtime;

/// <summary>
/// A Python found on disk, described by asking that Python itself for its sysconfig values,
/// so the embedded interpreter gets the same sys.path, prefix and executable as running it.
/// </summary>
internal sealed record PythonInstallation(
    string Executable,
    string Version,
    string Prefix,
    string BasePrefix,
    string LibraryPath)
{
    public bool IsVirtualEnvironment => Prefix != BasePrefix;

    private const string ProbeScript =
        "import json, sys, sysconfig\n" +
        "v = sysconfig.get_config_var\n" +
        "print(json.dumps({'executable': sys.executable, 'version': '%d.%d.%d' % sys.version_info[:3],\n" +
        " 'major': sys.version_info[0], 'minor': sys.version_info[1],\n" +
        " 'prefix': sys.prefix, 'base_prefix': getattr(sys, 'base_prefix', sys.prefix),\n" +
        " 'LIBDIR': v('LIBDIR'), 'INSTSONAME': v('INSTSONAME'), 'LDLIBRARY': v('LDLIBRARY'),\n" +
        " 'MULTIARCH': v('MULTIARCH'), 'Py_ENABLE_SHARED': v('Py_ENABLE_SHARED')}))\n";

    /// <summary>
    /// Finds the Python to embed: an executable (--python), else a prefix or virtualenv
    /// (--python-home, its bin/python3), else python3 on PATH.
    /// </summary>
    public static PythonInstallation Locate(string? python, string? pythonHome)
    {
        string executable;
        if (!string.IsNullOrEmpty(python))
        {
            executable = python;
        }
        else if (!string.IsNullOrEmpty(pythonHome))
        {
            executable = HomeExecutable(pythonHome);
        }
        else
        {
            executable = FindOnPath("python3") ?? throw new PythonNotFoundException(
                "no python3 on PATH; name one with --python /path/to/python3 or --python-home DIR");
        }
        return Probe(executable);
    }

    private static string HomeExecutable(string home)
    {
        if (File.Exists(home))
        {
            throw new PythonNotFoundException(
                $"python-home '{home}' is a file, not a folder: give an executable with --python instead, or the folder of its prefix or virtualenv as the home");
        }
        if (!Directory.Exists(home))
        {
            throw new PythonNotFoundException($"python-home '{home}' does not exist: give the folder of a virtualenv (python3 -m venv DIR) or of a Python installation (sys.prefix)");
        }
        foreach (string name in new[] { "python3", "python" })
        {
            string candidate = Path.Combine(home, "bin", name);
            var info = new FileInfo(candidate);
            if (info.LinkTarget is string link && info.ResolveLinkTarget(returnFinalTarget: true) is not { Exists: true })
            {
                // A virtualenv whose base Python was removed or moved: its bin/python3 leads nowhere.
                string? baseHome = VirtualenvHome(home);
                throw new PythonNotFoundException(
                    $"python-home '{home}' is a virtualenv whose Python is gone: {candidate} points to {link}, which does not exist{(baseHome != null ? $" (pyvenv.cfg names home = {baseHome})" : "")}; recreate the virtualenv with an installed Python (python3 -m venv --clear {home})");
            }
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new PythonNotFoundException(
            $"python-home '{home}' is not a Python prefix or virtualenv: there is no bin/python3 in it");
    }

    /// <summary>The home = line of a virtualenv's pyvenv.cfg (the base Python's bin folder), or null.</summary>
    private static string? VirtualenvHome(string home)
    {
        try
        {
            return File.ReadLines(Path.Combine(home, "pyvenv.cfg"))
                .Select(l => l.Split('=', 2))
                .FirstOrDefault(p => p.Length == 2 && p[0].Trim() == "home")?[1].Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The first file of that name in the folders of PATH, or null.</summary>
    internal static string? FindOnPath(string name)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>The probe's JSON answer; a program that is not Python answers something else.</summary>
    private static JsonDocument ParseProbe(string executable, string output)
    {
        try
        {
            return JsonDocument.Parse(output);
        }
        catch (JsonException)
        {
            string said = output.Trim();
            throw new PythonNotFoundException($"{executable} did not answer the sysconfig probe as Python does (its output: {said[..Math.Min(200, said.Length)]}): is it a Python executable?");
        }
    }

    private static PythonInstallation Probe(string executable)
    {
        if (!File.Exists(executable) && !executable.Contains('/'))
        {
            executable = FindOnPath(executable) ?? executable;
        }
        if (Directory.Exists(executable))
        {
            throw new PythonNotFoundException($"'{executable}' is a folder, not a Python executable: name the executable in it (such as {Path.Join(executable, "bin", "python3")}), or give the folder as the Python's home (--python-home, WSGIPythonHome, python-home=)");
        }
        if (!File.Exists(executable))
        {
            throw new PythonNotFoundException($"Python executable '{executable}' does not exist");
        }
        var psi = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(ProbeScript);
        string output, error;
        Process? started;
        try
        {
            started = Process.Start(psi);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            // Not executable, or not a program at all (--python /etc/passwd).
            throw new PythonNotFoundException($"cannot run '{executable}' to ask it about itself ({e.Message}): is it a Python executable?");
        }
        using (var process = started ?? throw new PythonNotFoundException($"cannot run {executable}"))
        {
            Task<string> err = process.StandardError.ReadToEndAsync();
            output = process.StandardOutput.ReadToEnd();
            error = err.Result;
            if (!process.WaitForExit(30_000))
            {
                process.Kill();
                throw new PythonNotFoundException($"{executable} did not answer the sysconfig probe within 30 s");
            }
            if (process.ExitCode != 0)
            {
                throw new PythonNotFoundException($"{executable} failed the sysconfig probe (exit {process.ExitCode}): {error.Trim()}");
            }
        }
        using JsonDocument json = ParseProbe(executable, output);
        var root = json.RootElement;
        string Str(string name) => root.GetProperty(name).ValueKind == JsonValueKind.String ? root.GetProperty(name).GetString()! : "";
        int major = root.GetProperty("major").GetInt32();
        int minor = root.GetProperty("minor").GetInt32();
        string version = Str("version");
        if (major != 3 || minor < 9)
        {
            throw new PythonNotFoundException($"{executable} is Python {version}; WsgiHost needs Python 3.9 or later");
        }
        string library = FindLibrary(Str("LIBDIR"), Str("INSTSONAME"), Str("LDLIBRARY"), Str("MULTIARCH"), $"{major}.{minor}")
            ?? throw new PythonNotFoundException(
                $"{executable} (Python {version}) has no shared libpython{major}.{minor} to embed. " +
                (Str("prefix").StartsWith("/usr", StringComparison.Ordinal)
                    ? $"Install it with: apt-get install libpython{major}.{minor}"
                    : "Build that Python with --enable-shared (pyenv: PYTHON_CONFIGURE_OPTS=--enable-shared)."));
        return new PythonInstallation(Str("executable"), version, Str("prefix"), Str("base_prefix"), library);
    }

    /// <summary>INSTSONAME first (Debian's LDLIBRARY is a dev-only symlink), then LDLIBRARY, then under MULTIARCH.</summary>
    internal static string? FindLibrary(string libDir, string instSoName, string ldLibrary, string multiArch, string majorMinor)
    {
        var names = new List<string>();
        foreach (string n in new[] { instSoName, ldLibrary, $"libpython{majorMinor}.so.1.0", $"libpython{majorMinor}.so" })
        {
            if (n.Contains(".so", StringComparison.Ordinal) && !names.Contains(n))
            {
                names.Add(n);
            }
        }
        var dirs = new List<string> { libDir };
        if (multiArch.Length > 0)
        {
            dirs.Add(Path.Combine(libDir, multiArch));
        }
        foreach (string dir in dirs)
        {
            foreach (string name in names)
            {
                string candidate = Path.Combine(dir, name);
                if (dir.Length > 0 && File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        return null;
    }
}

internal sealed class PythonNotFoundException(string message) : Exception(message);
