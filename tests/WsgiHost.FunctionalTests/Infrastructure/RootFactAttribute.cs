namespace WsgiHost.FunctionalTests.Infrastructure;

/// <summary>A test that needs to run as root (switching users); skipped, with the reason, otherwise.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute() => Skip = RootOnly.SkipReason("start workers as another user");
}

/// <summary>As <see cref="RootFactAttribute"/>, for a theory.</summary>
public sealed class RootTheoryAttribute : TheoryAttribute
{
    public RootTheoryAttribute() => Skip = RootOnly.SkipReason("switch to another user");
}

/// <summary>Why a test that needs root is skipped, or null when it runs as root.</summary>
internal static class RootOnly
{
    public static string? SkipReason(string what) => Environment.UserName == "root" ? null : $"needs root to {what} (running as {Environment.UserName})";
}

/// <summary>
/// A root test that needs a pyenv Python in a folder other users cannot enter (pyenv's default,
/// /root/.pyenv); skipped, with the reason, otherwise.
/// </summary>
public sealed class RootOnlyPythonFactAttribute : FactAttribute
{
    public RootOnlyPythonFactAttribute()
    {
        if (Environment.UserName != "root")
        {
            Skip = $"needs root (running as {Environment.UserName})";
        }
        else if (Python == null)
        {
            Skip = "no pyenv Python in a folder only root may enter on this machine";
        }
    }

    /// <summary>The first pyenv Python whose home other users cannot enter, or null.</summary>
    public static string? Python => Pythons.Versions.Select(Pythons.Pyenv).OfType<string>()
        .FirstOrDefault(p => AncestorsOf(p).Any(OthersCannotEnter));

    private static bool OthersCannotEnter(string folder) =>
        !OperatingSystem.IsWindows() && (File.GetUnixFileMode(folder) & UnixFileMode.OtherExecute) == 0;

    private static IEnumerable<string> AncestorsOf(string path)
    {
        for (string? d = Path.GetDirectoryName(path); !string.IsNullOrEmpty(d); d = Path.GetDirectoryName(d))
        {
            yield return d;
        }
    }
}
