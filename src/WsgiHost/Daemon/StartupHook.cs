using WsgiHost.Daemon;

/// <summary>
/// The .NET startup hook (the runtime calls <see cref="Initialize"/> before Main, in every
/// assembly named by DOTNET_STARTUP_HOOKS; the type must be called StartupHook and live in no
/// namespace). It does nothing unless <see cref="StartupHookLauncher"/> started this process as
/// a daemon worker: then it runs the worker and exits, so the host's own Main never runs.
/// </summary>
internal static class StartupHook
{
    public static void Initialize()
    {
        string? encoded = Environment.GetEnvironmentVariable(StartupHookLauncher.ArgumentsVariable);
        if (encoded == null)
        {
            return;
        }
        // The app's child processes must neither become workers nor run this hook.
        ProcessEnvironment.Unset(StartupHookLauncher.ArgumentsVariable);
        string previous = Environment.GetEnvironmentVariable(StartupHookLauncher.PreviousHooksVariable) ?? "";
        ProcessEnvironment.Unset(StartupHookLauncher.PreviousHooksVariable);
        if (previous.Length > 0)
        {
            ProcessEnvironment.Set(StartupHookLauncher.HooksVariable, previous);
        }
        else
        {
            ProcessEnvironment.Unset(StartupHookLauncher.HooksVariable);
        }
        int code;
        try
        {
            string[] args = StartupHookLauncher.Decode(encoded);
            code = WorkerMain.RunAsync(args.Length > 0 && args[0] == "worker" ? args[1..] : args).GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"wsgihost worker: {e}");
            code = 2;
        }
        Environment.Exit(code);
    }
}
