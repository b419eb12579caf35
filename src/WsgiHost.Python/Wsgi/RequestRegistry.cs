using System.Collections.Concurrent;

namespace WsgiHost.Python.Wsgi;

/// <summary>
/// Maps the integer id that Python-side objects (start_response, write, wsgi.input) carry
/// to the live request. An id, not a GCHandle, so a callable an app kept after its request
/// ended finds nothing instead of a freed handle.
/// </summary>
internal static class RequestRegistry
{
    private static readonly ConcurrentDictionary<long, WsgiRequest> s_live = new();
    private static long s_nextId;

    public static WsgiRequest Register(IWsgiExchange exchange, Runtime.Interpreter interpreter)
    {
        var request = new WsgiRequest(Interlocked.Increment(ref s_nextId), exchange, interpreter);
        s_live[request.Id] = request;
        return request;
    }

    public static WsgiRequest? Find(long id) => s_live.TryGetValue(id, out var r) ? r : null;

    /// <summary>The live request of an exchange (few run at once: a scan is enough).</summary>
    public static WsgiRequest? Find(IWsgiExchange exchange) => s_live.Values.FirstOrDefault(r => ReferenceEquals(r.Exchange, exchange));

    public static void Unregister(WsgiRequest request) => s_live.TryRemove(request.Id, out _);
}
