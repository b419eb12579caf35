using System.Runtime.CompilerServices;

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

    /// <summary>The sibling's path; null when this is not the native executable or the sibling is not beside it.</summary>
    public static string? Find(string name)
    {
        if (RuntimeFeature.IsDynamicCodeSupported || Environment.ProcessPath is not { } self)
        {
            return null;
        }
        string path = Path.Combine(Path.GetDirectoryName(self) ?? ".", name);
        return File.Exists(path) ? path : null;
    }
}
