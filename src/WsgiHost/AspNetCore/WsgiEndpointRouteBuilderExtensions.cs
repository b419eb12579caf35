using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace WsgiHost.AspNetCore;

/// <summary>Mounts Python WSGI applications as ASP.NET Core endpoints.</summary>
public static class WsgiEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves the WSGI application of <paramref name="scriptPath"/> at <paramref name="prefix"/>
    /// and every URL below it, for every HTTP method, as mod_wsgi's
    /// <c>WSGIScriptAlias prefix scriptPath</c> does. SCRIPT_NAME is the request's PathBase plus
    /// the prefix as the client spelled it, PATH_INFO the rest, both percent-decoded and
    /// normalised as Apache does. An authenticated <c>HttpContext.User</c> becomes REMOTE_USER
    /// and AUTH_TYPE. The request and response bodies stream through ASP.NET Core's pipes; a
    /// client that disconnects stops the iteration and the iterable's <c>close()</c> is called.
    /// A script that does not exist answers 404. Requires
    /// <see cref="WsgiServiceCollectionExtensions.AddWsgi"/>.
    /// </summary>
    /// <param name="endpoints">The application or a route group.</param>
    /// <param name="prefix">Where to mount, starting with "/" ("/" or "" for the root); a trailing "/" is ignored.</param>
    /// <param name="scriptPath">The WSGI script; a relative path is resolved against the content root.</param>
    /// <param name="configure">The application group, callable name and mod_wsgi switches of this mount.</param>
    /// <returns>
    /// A builder for every endpoint of the mount (the prefix and everything below it), so
    /// <c>RequireAuthorization</c>, <c>RequireRateLimiting</c>, <c>RequireCors</c> and other
    /// conventions cover the whole application.
    /// </returns>
    /// <exception cref="InvalidOperationException"><see cref="WsgiServiceCollectionExtensions.AddWsgi"/> was not called, or <see cref="WsgiAppOptions.ProcessGroup"/> names a group it did not define.</exception>
    public static IEndpointConventionBuilder MapWsgi(this IEndpointRouteBuilder endpoints, string prefix, string scriptPath, Action<WsgiAppOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(scriptPath);
        string mountPrefix = WsgiMount.NormalizePrefix(prefix);
        var options = new WsgiAppOptions();
        configure?.Invoke(options);

        IServiceProvider services = endpoints.ServiceProvider;
        WsgiRuntime runtime = services.GetService<WsgiRuntime>()
            ?? throw new InvalidOperationException("MapWsgi needs the embedded Python: call builder.Services.AddWsgi() first.");
        string contentRoot = services.GetService<IHostEnvironment>()?.ContentRootPath ?? Directory.GetCurrentDirectory();
        string documentRoot = services.GetService<IWebHostEnvironment>()?.WebRootPath is { Length: > 0 } webRoot ? webRoot : contentRoot;
        string script = Path.GetFullPath(scriptPath, contentRoot);
        if (options.ProcessGroup.Length == 0)
        {
            runtime.AddEmbeddedMount();
        }
        else if (!runtime.HasDaemonGroup(options.ProcessGroup))
        {
            throw new InvalidOperationException(
                $"MapWsgi(\"{prefix}\"): no daemon process group '{options.ProcessGroup}'; define it with builder.Services.AddWsgi(o => o.AddDaemonProcess(\"{options.ProcessGroup}\", \"processes=2 threads=15\"))");
        }
        // Mistakes that would otherwise show only per request: a second mount at the same place
        // (routing's AmbiguousMatchException, a 500 each time) is refused here; a script that is
        // not there yet is said once (its requests are 404 until it is, as under Apache).
        if (!runtime.ClaimMount(endpoints, mountPrefix))
        {
            throw new InvalidOperationException($"MapWsgi(\"{prefix}\"): another MapWsgi mounts an application at '{(mountPrefix.Length == 0 ? "/" : mountPrefix)}' already; give each application its own prefix");
        }
        if (!File.Exists(script))
        {
            runtime.Log.Write(Python.Runtime.ErrorLogLevel.Warning, "wsgi", $"MapWsgi(\"{prefix}\"): the WSGI script {script} does not exist; requests there are answered 404 until it does.");
        }
        var mount = new WsgiMount(script, options, runtime, documentRoot);

        // A group, so conventions added to the returned builder reach both endpoints: the
        // prefix itself (the more specific literal wins over the catch-all) and below it.
        RouteGroupBuilder group = endpoints.MapGroup(mountPrefix);
        string name = $"WSGI {script} at {(mountPrefix.Length == 0 ? "/" : mountPrefix)}";
        group.Map("", mount.HandleAsync).WithDisplayName(name);
        group.Map("{**" + WsgiMount.RestParameter + "}", mount.HandleAsync).WithDisplayName(name + "/*");
        return group;
    }
}
