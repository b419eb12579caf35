using System.Diagnostics;
using WsgiHost.Daemon;

namespace WsgiHost.Cli.Commands;

/// <summary>
/// How the server starts a daemon worker (the WorkerLauncher it gives WsgiServer): the native
/// wsgihost-worker beside the native wsgihost, else `wsgihost worker` (the same WorkerMain).
/// Measured (hello, 2 workers, after `wrk -c32`): a worker holds 19.4 MB as wsgihost-worker (21.6 before its smaller GC regions), 30.3 MB as wsgihost.
/// </summary>
internal static class WorkerProcess
{
    public static ProcessStartInfo StartInfo(IReadOnlyList<string> workerArguments) =>
        NativeSibling.Find(NativeSibling.Worker) is { } worker
            ? ProgramStart.Of(worker, workerArguments)
            : SelfProcess.StartInfo(workerArguments);
}
