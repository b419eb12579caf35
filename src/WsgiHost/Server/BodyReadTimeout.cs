using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;

namespace WsgiHost.Server;

/// <summary>
/// Apache's Timeout on the reads of a request body: a read that has waited this long for the
/// client to send anything fails with 408, and the app's wsgi.input read raises OSError, as
/// under mod_wsgi. Kestrel's own MinRequestBodyDataRate averages over the whole body (240
/// bytes/s after a grace period): a client that sent 200 KB and stopped held its WSGI thread,
/// or its daemon worker's thread, for about 800 s, and as many such clients as there are
/// threads stopped the application.
/// </summary>
/// <remarks>Armed only around a read that did not complete at once, as <see cref="StalledClient"/> around writes.</remarks>
internal sealed class BodyReadTimeout : IDisposable
{
    private readonly PipeReader _reader;
    private readonly Timer _timer;
    private readonly TimeSpan _timeout;
    private bool _done;

    private BodyReadTimeout(PipeReader reader, TimeSpan timeout)
    {
        _reader = reader;
        _timeout = timeout;
        _timer = new Timer(static state => ((BodyReadTimeout)state!).Expire(), this, timeout, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Timeout passed with the read still waiting (or it completed at that very moment: the client stalled that long either way).</summary>
    public bool Expired { get; private set; }

    /// <summary>Watches a read that is waiting for the client; null when there is no Timeout (not a positive one).</summary>
    public static BodyReadTimeout? Watch(PipeReader reader, TimeSpan timeout) => timeout > TimeSpan.Zero ? new BodyReadTimeout(reader, timeout) : null;

    /// <summary>A read of <paramref name="reader"/> that fails with 408 when the client sends nothing for <paramref name="timeout"/>.</summary>
    public static ValueTask<ReadResult> ReadAsync(PipeReader reader, TimeSpan timeout, CancellationToken cancellation)
    {
        ValueTask<ReadResult> read = reader.ReadAsync(cancellation);
        return read.IsCompleted || timeout <= TimeSpan.Zero ? read : WatchedAsync(read, reader, timeout);
    }

    private static async ValueTask<ReadResult> WatchedAsync(ValueTask<ReadResult> read, PipeReader reader, TimeSpan timeout)
    {
        using BodyReadTimeout watch = new(reader, timeout);
        return watch.Checked(await read.ConfigureAwait(false));
    }

    /// <summary>The read's result, or the 408 when the watch expired.</summary>
    /// <exception cref="BadHttpRequestException">The client sent nothing for Timeout.</exception>
    public ReadResult Checked(ReadResult result)
    {
        lock (_timer)
        {
            _done = true;
        }
        if (!Expired)
        {
            return result;
        }
        // The read is given back (a reader allows no next read, Kestrel's end of request
        // included, before it is): the body is refused, and the connection not reused.
        _reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        throw new BadHttpRequestException($"the client sent no request data for {_timeout.TotalSeconds:0.###} s (Timeout)", StatusCodes.Status408RequestTimeout);
    }

    private void Expire()
    {
        lock (_timer)
        {
            if (_done)
            {
                return;
            }
            // Checked has not run yet, so the read is still waiting or its result not yet looked
            // at: either way Checked sees Expired, and a cancel left pending fails no later read
            // (the body is refused and never read again).
            Expired = true;
            _reader.CancelPendingRead();
        }
    }

    public void Dispose()
    {
        lock (_timer)
        {
            _done = true;
        }
        _timer.Dispose();
    }
}
