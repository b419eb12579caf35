using System.Net.Sockets;

namespace WsgiHost.Daemon;

/// <summary>
/// A worker's connection from the front and where it stands. The state changes only by
/// compare-and-swap, so the two things that must never both happen cannot: a request runs only
/// on the thread that moved the connection from Waiting to Busy, and <see cref="DaemonProtocol.NotTaken"/>
/// ("send it elsewhere") goes out only from the one that moved it from Waiting to Closed.
/// Otherwise a request read just as the worker stops could run here and again in another worker.
/// </summary>
internal sealed class FrontConnection(Socket socket)
{
    private const int Waiting = 0;
    private const int Busy = 1;
    private const int Closed = 2;

    private int _state;

    public Socket Socket { get; } = socket;

    /// <summary>Takes the request just read; false when the connection was closed as idle meanwhile.</summary>
    public bool TryTake() => Interlocked.CompareExchange(ref _state, Busy, Waiting) == Waiting;

    /// <summary>Back between requests: the connection may now be closed as idle.</summary>
    public void Release() => Volatile.Write(ref _state, Waiting);

    /// <summary>Claims a connection between requests for closing; false when a request runs on it or it is closed already.</summary>
    public bool TryClose() => Interlocked.CompareExchange(ref _state, Closed, Waiting) == Waiting;

    /// <summary>The connection is not at a request boundary (a bad frame): it closes without NotTaken.</summary>
    public void Break() => Volatile.Write(ref _state, Closed);
}
