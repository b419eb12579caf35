using WsgiHost.Daemon;

namespace WsgiHost.Worker;

/// <summary>
/// wsgihost-worker [worker] ARGS: one process of a WSGIDaemonProcess group, started by the
/// native wsgihost for its daemon groups (never by hand), with the arguments `wsgihost worker`
/// takes.
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        try
        {
            return await WorkerMain.RunAsync(args is ["worker", ..] ? args[1..] : args).ConfigureAwait(false);
        }
        catch (Exception e) when (WorkerMain.IsUsageError(e))
        {
            await Console.Error.WriteLineAsync($"wsgihost-worker: {e.Message}").ConfigureAwait(false);
            return 2;
        }
    }
}
