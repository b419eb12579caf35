using Microsoft.Extensions.Hosting;

namespace WsgiHost.Server;

/// <summary>
/// The web host's lifetime in a WsgiHost server: it handles no signal. The server's command
/// (SiteHost) owns SIGTERM, SIGINT, SIGHUP and SIGUSR1, and stops the server gracefully itself.
/// </summary>
/// <remarks>
/// The default, ConsoleLifetime, also registers SIGTERM, SIGINT and SIGQUIT and stops the
/// application on them. After the start that only fired a token nobody waits on, but a SIGTERM
/// while the listeners opened cancelled the host's start: the TaskCanceledException from
/// Kestrel's bind ended the process with SIGABRT instead of a clean stop, and a supervisor whose
/// server processes it stopped as they started exited 1. It also kept SIGQUIT from dumping core.
/// </remarks>
internal sealed class SignalFreeLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
