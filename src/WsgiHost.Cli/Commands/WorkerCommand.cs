using WsgiHost.Daemon;

namespace WsgiHost.Cli.Commands;

/// <summary>
/// `wsgihost worker`: one process of a WSGIDaemonProcess group, started by the server (never
/// by hand). The worker itself is the library's (<see cref="WorkerMain"/>), which an ASP.NET
/// Core host runs too.
/// </summary>
internal static class WorkerCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        try
        {
            return await WorkerMain.RunAsync(args).ConfigureAwait(false);
        }
        catch (Exception e) when (WorkerMain.IsUsageError(e))
        {
            throw new UsageException(e.Message);
        }
    }
}
