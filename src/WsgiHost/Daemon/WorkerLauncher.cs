using System.Diagnostics;

namespace WsgiHost.Daemon;

/// <summary>
/// How to start a worker with these arguments (`wsgihost worker ARGS`): the command-line host
/// knows whether it runs as the native executable (with wsgihost-worker beside it), an apphost
/// or `dotnet WsgiHost.Cli.dll`. A server without one runs daemon groups embedded.
/// </summary>
internal delegate ProcessStartInfo WorkerLauncher(IReadOnlyList<string> workerArguments);
