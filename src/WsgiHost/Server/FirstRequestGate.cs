using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace WsgiHost.Server;

/// <summary>
/// Counts the connections this server process accepted that have not yet carried a request:
/// those whose TLS handshake or first request is on its way. A server process being replaced
/// (SIGHUP to its supervisor) stops accepting, then waits for them before it stops: Kestrel's
/// stop closes a connection that has no request yet, and its client, which had just been
/// accepted, got no response at all (QA: a few in a thousand connections of a client that
/// opens one per request, over TLS, failed so during a reload). Apache's old child, too,
/// serves every connection it accepted.
/// </summary>
internal sealed class FirstRequestGate
{
    private long _waiting;

    /// <summary>Connections accepted that have carried no request yet.</summary>
    public long Waiting => Interlocked.Read(ref _waiting);

    /// <summary>The first connection middleware: counts the connection until its first request (<see cref="ConnectionRequests"/>) or its end.</summary>
    public ConnectionDelegate Middleware(ConnectionDelegate next) => async context =>
    {
        Interlocked.Increment(ref _waiting);
        var requests = new ConnectionRequests(this);
        if (context.Features.Get<IConnectionItemsFeature>()?.Items is { } items)
        {
            items[ConnectionRequests.Key] = requests;
        }
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            requests.EndOfConnection();
        }
    };

    /// <summary>A connection's first request began, or it ended without one.</summary>
    internal void Arrived() => Interlocked.Decrement(ref _waiting);

    /// <summary>Waits until no accepted connection waits for its first request, or <paramref name="longest"/> has passed; how many still wait.</summary>
    public async Task<long> WaitAsync(TimeSpan longest)
    {
        var until = DateTime.UtcNow + longest;
        while (Waiting > 0 && DateTime.UtcNow < until)
        {
            await Task.Delay(10).ConfigureAwait(false);
        }
        return Waiting;
    }
}
