using System.Runtime;

namespace WsgiHost.Cli.Commands;

/// <summary>
/// The programs published next to the native wsgihost (WsgiHost.Cli.csproj's PublishSiblings),
/// each doing one job of the server in a fraction of a whole server's memory: a process of the
/// wsgihost executable maps most of its 13.6 MB and rehydrates 3 MB of runtime data, however
/// little it runs. The assembly run by `dotnet` (tests, the example), and a native wsgihost
/// copied without them, do the same jobs in wsgihost itself.
/// </summary>
internal static class NativeSibling
{
    /// <summary>What `--server-processes N` turns wsgihost into (SupervisorLaunch).</summary>
    public const string Supervisor = "wsgihost-supervisor";

    /// <summary>A daemon group's worker process (WorkerProcess).</summary>
    public const string Worker = "wsgihost-worker";

    /// <summary>
    /// Whether this is the native executable. Not RuntimeFeature.IsDynamicCodeSupported: with
    /// PublishAot in the project, the assembly build's runtimeconfig turns that off too. Only
    /// the JIT compiles methods, and it has compiled Main before this runs.
    /// </summary>
    private static bool IsNative => JitInfo.GetCompiledMethodCount() == 0;

    /// <summary>For `wsgihost version`: which build this is, and which of the jobs its siblings do.</summary>
    public static string Describe()
    {
        if (!IsNative)
        {
            return "build: assembly (JIT); server-processes supervisor and daemon workers run as wsgihost itself";
        }
        string[] missing = [.. new[] { Supervisor, Worker }.Where(name => Find(name) == null)];
        return missing.Length == 0
            ? $"build: native; {Supervisor} and {Worker} beside it"
            : $"build: native; missing beside it: {string.Join(", ", missing)} (wsgihost does that job itself, in more memory; publish them together)";
    }

    /// <summary>The sibling's path; null when this is not the native executable or the sibling is not beside it.</summary>
    public static string? Find(string name)
    {
        if (!IsNative || Environment.ProcessPath is not { } self)
        {
            return null;
        }
        string path = Path.Combine(Path.GetDirectoryName(self) ?? ".", name);
        return File.Exists(path) ? path : null;
    }
}
