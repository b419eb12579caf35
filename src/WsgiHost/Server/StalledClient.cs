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

    /// <summary>The client's TCP connection, to tell a slow reader from one that reads nothing; null where it cannot be had.</summary>
    private readonly System.Net.Sockets.Socket? _socket;

    /// <summary>Bytes the client had acknowledged when the watch began or last saw progress; -1 when they cannot be read.</summary>
    private long _acked;

    /// <summary>When the watch began, or last saw the client acknowledge bytes (<see cref="Environment.TickCount64"/>).</summary>
    private long _lastProgress;

    private StalledClient(HttpContext context, TimeSpan timeout, IErrorLog? log, string client)
    {
        _context = context;
        _timeout = timeout;
        _log = log;
        _client = client;
        _socket = context.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionSocketFeature>()?.Socket;
        _acked = BytesAcked(_socket);
        _lastProgress = Environment.TickCount64;
        // Looked at every second (or every Timeout, if shorter): the client's kernel goes on
        // acknowledging for a moment after its reader stopped, as its buffer fills; checked
        // once at Timeout, that late progress bought a whole second Timeout (QA: cut at 10 s
        // with Timeout 5, where Apache cuts at 5). No Timeout (not a positive one): the write
        // waits as long as it takes.
        TimeSpan every = timeout <= TimeSpan.Zero ? Timeout.InfiniteTimeSpan : timeout < Tick ? timeout : Tick;
        _timer = new Timer(static state => ((StalledClient)state!).Check(), this, every, every);
    }

    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    /// <summary>Watches a write that is waiting for the client: disposed when it completes, or the connection is closed when the client takes nothing for <paramref name="timeout"/>.</summary>
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

    /// <summary>
    /// The write still waits. A client that acknowledges bytes (a slow reader: the write waits
    /// for the transport to send a whole buffer, which takes long at a few KB/s) is left to
    /// it, as Apache's Timeout bounds each send, not the response; one that has taken nothing
    /// for Timeout is closed.
    /// </summary>
    private void Check()
    {
        long acked = BytesAcked(_socket);
        long now = Environment.TickCount64;
        if (acked >= 0 && acked != _acked)
        {
            _acked = acked;
            _lastProgress = now;
            return;
        }
        if (now - _lastProgress < (long)_timeout.TotalMilliseconds)
        {
            return;
        }
        try
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            return; // the write completed meanwhile
        }
        _log?.Write(ErrorLogLevel.Info, "core",
            $"[client {_client}] The client took none of the response for {_timeout.TotalSeconds:0} s (Timeout); closing the connection.");
        _context.Abort();
    }

    private const int IpProtoTcp = 6;
    private const int TcpInfo = 11;

    /// <summary>Linux's struct tcp_info: tcpi_bytes_acked (since 4.1), a u64 at this offset.</summary>
    private const int BytesAckedOffset = 120;

    /// <summary>The bytes of the response the client has acknowledged (TCP_INFO), or -1 when they cannot be read (not Linux, not TCP, a Unix socket).</summary>
    private static long BytesAcked(System.Net.Sockets.Socket? socket)
    {
        if (socket == null || !OperatingSystem.IsLinux() || socket.ProtocolType != System.Net.Sockets.ProtocolType.Tcp)
        {
            return -1;
        }
        Span<byte> info = stackalloc byte[256];
        try
        {
            int length = socket.GetRawSocketOption(IpProtoTcp, TcpInfo, info);
            return length >= BytesAckedOffset + sizeof(long) ? System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(info[BytesAckedOffset..]) : -1;
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            return -1;
        }
    }

    public void Dispose() => _timer.Dispose();
}
