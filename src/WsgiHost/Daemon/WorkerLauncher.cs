using System.Diagnostics;

namespace WsgiHost.Daemon;

/// <summary>
/// How to start `wsgihost worker ARGS`: the command-line host knows whether it runs as an
/// apphost or as `dotnet WsgiHost.Cli.dll`. A server without one runs daemon groups embedded.
/// </summary>
internal delegate ProcessStartInfo WorkerLauncher(IReadOnlyList<string> workerArguments);
