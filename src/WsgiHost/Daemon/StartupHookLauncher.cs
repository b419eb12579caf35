using System.Diagnostics;
using System.Text;

namespace WsgiHost.Daemon;

/// <summary>
/// Starts a daemon worker for a host that has no `wsgihost` program (an ASP.NET Core app using
/// <c>MapWsgi</c>): the host's own process is started again with its exact command line (same
/// runtime, runtimeconfig and dependencies, so the same WsgiHost and Python), and a .NET
/// startup hook in this assembly (<c>StartupHook</c>) turns it into the worker before the
/// host's Main runs. Nothing in the host's Program has to cooperate.
/// </summary>
internal static class StartupHookLauncher
{
    /// <summary>The worker's arguments, NUL-joined and base64-encoded (argv cannot hold NUL, so the join is lossless).</summary>
    public const string ArgumentsVariable = "WSGIHOST_WORKER_ARGUMENTS";

    /// <summary>DOTNET_STARTUP_HOOKS as the host had it, restored in the worker so the app's own child processes inherit the host's environment.</summary>
    public const string PreviousHooksVariable = "WSGIHOST_PREVIOUS_STARTUP_HOOKS";

    public const string HooksVariable = "DOTNET_STARTUP_HOOKS";

    public static ProcessStartInfo Launch(IReadOnlyList<string> workerArguments)
    {
        string program = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which program is running");
        var start = new ProcessStartInfo(program);
        foreach (string arg in OwnArguments())
        {
            start.ArgumentList.Add(arg);
        }
        string? previous = Environment.GetEnvironmentVariable(HooksVariable);
        string hook = HookAssemblyPath();
        start.Environment[HooksVariable] = string.IsNullOrEmpty(previous) ? hook : hook + Path.PathSeparator + previous;
        start.Environment[PreviousHooksVariable] = previous ?? "";
        start.Environment[ArgumentsVariable] = Encode(workerArguments);
        return start;
    }

    /// <summary>WsgiHost.dll on disk: what DOTNET_STARTUP_HOOKS names.</summary>
    /// <exception cref="InvalidOperationException">The host is a single file or native: it has no such file, and runs no startup hooks.</exception>
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("SingleFile", "IL3000",
        Justification = "An empty Location (single-file or native host) is refused with the fix; such a host runs no startup hooks anyway.")]
    private static string HookAssemblyPath()
    {
        string path = typeof(StartupHookLauncher).Assembly.Location;
        return path.Length > 0 ? path : throw new InvalidOperationException(
            "daemon process groups of MapWsgi start the host's own program as workers through a .NET startup hook, which needs WsgiHost.dll as a file: publish the host as assemblies (not single-file or native AOT), or run the application embedded (no ProcessGroup)");
    }

    public static string Encode(IReadOnlyList<string> arguments) => Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Join('\0', arguments)));

    public static string[] Decode(string encoded)
    {
        string joined = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
        return joined.Length == 0 ? [] : joined.Split('\0');
    }

    /// <summary>
    /// This process's arguments after the program, exactly as started: /proc/self/cmdline keeps
    /// the host options (`dotnet exec --runtimeconfig ...`) that Environment.GetCommandLineArgs drops.
    /// </summary>
    private static IEnumerable<string> OwnArguments()
    {
        string cmdline = File.ReadAllText("/proc/self/cmdline");
        string[] argv = cmdline.TrimEnd('\0').Split('\0');
        return argv.Skip(1);
    }
}
