using Microsoft.Extensions.Hosting;

namespace WsgiHost.AspNetCore;

/// <summary>
/// Ties the embedded Python and the daemon groups to the host's lifetime. They start in
/// <see cref="StartAsync"/>, so a Python that cannot be loaded fails the host's start instead
/// of the first request. They stop in <see cref="StoppedAsync"/>: that runs after every hosted service's StopAsync,
/// including the web server's, which drains in-flight requests. Stopping when
/// <see cref="IHostApplicationLifetime.ApplicationStopping"/> fires would cut requests that
/// are still inside Python.
/// </summary>
internal sealed class WsgiLifetimeService(WsgiRuntime runtime) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        runtime.StartForHost();
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => runtime.StopAsync(cancellationToken);
}
