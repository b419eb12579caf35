using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace WsgiHost.AspNetCore;

/// <summary>Registers the embedded Python and its WSGI threads with an ASP.NET Core host.</summary>
public static class WsgiServiceCollectionExtensions
{
    /// <summary>
    /// Adds the services <see cref="WsgiEndpointRouteBuilderExtensions.MapWsgi"/> needs: the
    /// embedded Python and the WSGI threads, started when the host starts (a Python that cannot
    /// be loaded fails the start) and stopped after the server has stopped and in-flight
    /// requests have finished: the threads first, then Python is finalised. Python's output and
    /// tracebacks go to <see cref="Microsoft.Extensions.Logging.ILogger"/> under the category
    /// <c>WsgiHost</c>. Only one Python can be embedded per process, so one host per process
    /// may use this.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configure">Chooses the Python, <c>sys.path</c> additions, thread count and log level.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddWsgi(this IServiceCollection services, Action<WsgiOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<WsgiOptions>();
        if (configure != null)
        {
            services.Configure(configure);
        }
        services.TryAddSingleton<WsgiRuntime>();
        // TryAddEnumerable inside AddHostedService keeps a second AddWsgi from adding a second one.
        services.AddHostedService<WsgiLifetimeService>();
        return services;
    }
}
