namespace WsgiHost.FunctionalTests.Infrastructure;

/// <summary>The Pythons present on this machine that tests run against.</summary>
public static class Pythons
{
    /// <summary>Debian's Python 3.11 (with python3-flask, python3-django); the setup script installs libpython3.11.</summary>
    public const string Debian = "/usr/bin/python3";

    public static readonly string[] Versions = ["3.9", "3.10", "3.11", "3.12", "3.13"];

    /// <summary>A pyenv shared build of that minor version, or null when none is installed.</summary>
    public static string? Pyenv(string minor)
    {
        string root = Environment.GetEnvironmentVariable("PYENV_ROOT") ?? Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? "/root", ".pyenv");
        string versions = Path.Combine(root, "versions");
        if (!Directory.Exists(versions))
        {
            return null;
        }
        return Directory.GetDirectories(versions)
            .Select(Path.GetFileName)
            .Where(v => v != null && (v == minor || v.StartsWith(minor + ".", StringComparison.Ordinal)) && v.Count(c => c == '.') == 2 && v.Split('.').All(p => int.TryParse(p, out _)))
            .OrderByDescending(v => int.Parse(v!.Split('.')[2], System.Globalization.CultureInfo.InvariantCulture))
            .Select(v => Path.Combine(versions, v!, "bin", "python3"))
            .FirstOrDefault(p => File.Exists(p) && Directory.EnumerateFiles(Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(p)!)!, "lib"), "libpython*.so*").Any());
    }
}

/// <summary>
/// Feeds a theory with the pyenv Python of one minor version; when that version is not
/// installed the case is reported as skipped, with the reason, instead of vanishing.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class PythonVersionDataAttribute : Xunit.Sdk.DataAttribute
{
    private readonly string _minor;

    public PythonVersionDataAttribute(string minor)
    {
        _minor = minor;
        if (Pythons.Pyenv(minor) == null)
        {
            Skip = $"no pyenv shared build of Python {minor} on this machine";
        }
    }

    public override IEnumerable<object[]> GetData(System.Reflection.MethodInfo testMethod)
    {
        yield return [_minor, Pythons.Pyenv(_minor) ?? ""];
    }
}
