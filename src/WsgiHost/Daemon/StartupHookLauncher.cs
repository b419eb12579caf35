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
        string hook = typeof(StartupHookLauncher).Assembly.Location;
        start.Environment[HooksVariable] = string.IsNullOrEmpty(previous) ? hook : hook + Path.PathSeparator + previous;
        start.Environment[PreviousHooksVariable] = previous ?? "";
        start.Environment[ArgumentsVariable] = Encode(workerArguments);
        return start;
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
