using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Http.Features;
using WsgiHost.Logging;

namespace WsgiHost.Server;

/// <summary>
/// Writes the access log line of a request Kestrel refused before any handler ran (a malformed
/// request line or header, a target or header too long, a bad chunk size): Apache logs those
/// too, in the access log of the virtual host the connection's address chooses by default (the
/// Host of a refused request is not believed), and an operator counting 4xx by the access log
/// must see them. Kestrel reports each one as the "Microsoft.AspNetCore.Server.Kestrel.BadRequest"
/// diagnostic event, with the request's features.
/// </summary>
internal sealed class RejectedRequestLog : IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private const string BadRequestEvent = "Microsoft.AspNetCore.Server.Kestrel.BadRequest";

    // Only this event: any other name enabled would make the hosting layer start an Activity
    // and write begin/end events for every request.
    private static readonly Predicate<string> s_enabled = static name => name == BadRequestEvent;

    private readonly Func<SiteRouting> _routing;
    private readonly IDisposable _subscription;

    /// <param name="listener">The host's "Microsoft.AspNetCore" listener, which Kestrel writes to.</param>
    /// <param name="routing">The routing in force (a reload swaps it).</param>
    public RejectedRequestLog(DiagnosticListener listener, Func<SiteRouting> routing)
    {
        _routing = routing;
        _subscription = listener.Subscribe(this, s_enabled);
    }

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Key != BadRequestEvent || value.Value is not IFeatureCollection features)
        {
            return;
        }
        try
        {
            Write(features);
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException or NotSupportedException)
        {
            // A request half parsed may lack a feature; the line is not worth failing Kestrel's error path.
        }
    }

    private void Write(IFeatureCollection features)
    {
        if (features.Get<Handled>() != null)
        {
            // The handler ran (a body that turned out malformed): its own line has the request.
            return;
        }
        int status = features.Get<IBadRequestExceptionFeature>()?.Error is Microsoft.AspNetCore.Http.BadHttpRequestException bad ? bad.StatusCode : 400;
        IHttpConnectionFeature? connection = features.Get<IHttpConnectionFeature>();
        IPAddress? remote = Unmapped(connection?.RemoteIpAddress);
        IPAddress? local = Unmapped(connection?.LocalIpAddress);
        int localPort = connection?.LocalPort ?? 0;
        ScopeRuntime scope = _routing().Select(local, localPort, "");
        if (scope.AccessLogs.Length == 0)
        {
            return;
        }
        IHttpRequestFeature? request = features.Get<IHttpRequestFeature>();
        string method = request?.Method ?? "";
        string target = request?.RawTarget ?? "";
        string protocol = request?.Protocol ?? "";
        // What Kestrel parsed of the request line; "-" when it got no further than that (Apache
        // logs the bytes it received, which Kestrel does not keep).
        bool parsed = method.Length > 0 && target.Length > 0 && protocol.Length > 0;
        DateTimeOffset now = DateTimeOffset.Now;
        var entry = new AccessLogEntry(remote?.ToString() ?? "-", null, now, parsed ? $"{method} {target} {protocol}" : "-", status, 0, null, null)
        {
            RemoteAddress = remote,
            RemotePort = connection?.RemotePort ?? 0,
            LocalAddress = local,
            LocalPort = localPort,
            ServerPort = localPort,
            ServerName = scope.ServerName,
            RequestServerName = scope.ServerName,
            Method = parsed ? method : null,
            Protocol = parsed ? protocol : null,
            // Kestrel ends the connection after the error response.
            KeepAlive = false,
        };
        foreach (ScopedAccessLog log in scope.AccessLogs)
        {
            if (log.Logs(null))
            {
                log.Log.Write(entry);
            }
        }
    }

    /// <summary>
    /// Marks a request the handler took (set per request: Kestrel clears the features it was
    /// given before it reads the next request of a connection).
    /// </summary>
    internal sealed class Handled
    {
        public static readonly Handled Request = new();
    }

    private static IPAddress? Unmapped(IPAddress? address) => address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    public void Dispose() => _subscription.Dispose();
}
