using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace WsgiHost.Server;

/// <summary>
/// How many requests a connection has carried: Apache's %k, KeepAlive Off and
/// MaxKeepAliveRequests. One per connection, in its items (no allocation per request).
/// </summary>
internal sealed class ConnectionRequests
{
    internal static readonly object Key = new();
    private readonly FirstRequestGate? _gate;
    private int _count;

    private ConnectionRequests()
    {
    }

    /// <summary>Made as the connection opens, to tell <paramref name="gate"/> when its first request begins.</summary>
    internal ConnectionRequests(FirstRequestGate gate) => _gate = gate;

    /// <summary>The connection ended; if it carried no request, the gate stops waiting for one.</summary>
    internal void EndOfConnection()
    {
        if (Interlocked.CompareExchange(ref _count, -1, 0) == 0)
        {
            _gate?.Arrived();
        }
    }

    /// <summary>Counts the request; returns how many the connection carried before it (0 for its first).</summary>
    public static int Next(HttpContext context)
    {
        if (context.Features.Get<IConnectionItemsFeature>()?.Items is not { } items)
        {
            return 0;
        }
        if (!items.TryGetValue(Key, out object? value) || value is not ConnectionRequests requests)
        {
            items[Key] = requests = new ConnectionRequests();
        }
        // HTTP/2 streams of one connection run at once.
        int before = Interlocked.Increment(ref requests._count) - 1;
        if (before == 0)
        {
            requests._gate?.Arrived();
        }
        return before;
    }

    /// <summary>
    /// Whether this response ends an HTTP/1.x connection that may not carry another request:
    /// KeepAlive Off (<paramref name="keepAliveTimeoutSeconds"/> 0) or the request that follows
    /// <paramref name="maxKeepAliveRequests"/> others, as Apache counts them.
    /// </summary>
    public static bool EndsConnection(HttpRequest request, int before, int keepAliveTimeoutSeconds, int maxKeepAliveRequests) =>
        (keepAliveTimeoutSeconds == 0 || (maxKeepAliveRequests > 0 && before >= maxKeepAliveRequests))
        && !HttpProtocol.IsHttp2(request.Protocol) && !HttpProtocol.IsHttp3(request.Protocol);
}
