using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Server;

/// <summary>
/// Apache's Timeout on a response's writes: a write that has waited this long for the client to
/// take bytes (it stopped reading, or keeps its window shut) closes the connection, which ends
/// the write and frees the WSGI thread, or the daemon worker's thread, that was making it.
/// Kestrel's own MinResponseDataRate gives a write time in proportion to its size (64 KiB at
/// 240 bytes/s: four and a half minutes, for every such write), so a client that read nothing
/// of a large response held its thread for good, and as many such clients as there are WSGI
/// threads stopped the server; Apache closes each after Timeout (60 s).
/// </summary>
/// <remarks>
/// Armed only around a write that did not complete at once: one that the socket takes costs
/// nothing more than before.
/// </remarks>
internal sealed class StalledClient : IDisposable
{
    private readonly HttpContext _context;
    private readonly TimeSpan _timeout;
    private readonly IErrorLog? _log;
    private readonly string _client;
    private readonly Timer _timer;

    private StalledClient(HttpContext context, TimeSpan timeout, IErrorLog? log, string client)
    {
        _context = context;
        _timeout = timeout;
        _log = log;
        _client = client;
        // No Timeout (not a positive one): the write waits as long as it takes.
        _timer = new Timer(static state => ((StalledClient)state!).Close(), this, timeout > TimeSpan.Zero ? timeout : Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Watches a write that is waiting for the client: disposed when it completes, or the connection is closed at <paramref name="timeout"/>.</summary>
    public static StalledClient Watch(HttpContext context, TimeSpan timeout, IErrorLog? log, string client) => new(context, timeout, log, client);

    /// <summary>A flush of <paramref name="writer"/>, closing the connection when the client takes none of it within <paramref name="timeout"/>.</summary>
    public static ValueTask<FlushResult> FlushAsync(PipeWriter writer, HttpContext context, TimeSpan timeout, IErrorLog? log, string client, CancellationToken cancellation)
    {
        ValueTask<FlushResult> flush = writer.FlushAsync(cancellation);
        return flush.IsCompleted ? flush : WatchedAsync(flush, context, timeout, log, client);
    }

    private static async ValueTask<FlushResult> WatchedAsync(ValueTask<FlushResult> flush, HttpContext context, TimeSpan timeout, IErrorLog? log, string client)
    {
        using StalledClient watch = Watch(context, timeout, log, client);
        return await flush.ConfigureAwait(false);
    }

    private void Close()
    {
        _log?.Write(ErrorLogLevel.Info, "core",
            $"[client {_client}] The client took none of the response for {_timeout.TotalSeconds:0} s (Timeout); closing the connection.");
        _context.Abort();
    }

    public void Dispose() => _timer.Dispose();
}
