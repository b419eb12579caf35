namespace WsgiHost.Tests;

/// <summary>Where the repository is, for tests that read its files (snapshots, example configurations).</summary>
internal static class RepoPaths
{
    public static string Root
    {
        get
        {
            string? dir = AppContext.BaseDirectory;
            while (dir != null && !File.Exists(Path.Combine(dir, "WsgiHost.sln")))
            {
                dir = Path.GetDirectoryName(dir);
            }
            return dir ?? throw new InvalidOperationException("cannot find the repository root (WsgiHost.sln) above " + AppContext.BaseDirectory);
        }
    }
}
