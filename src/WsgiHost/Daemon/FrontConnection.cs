using System.Net.Sockets;

namespace WsgiHost.Daemon;

/// <summary>
/// A worker's connection from the front and where it stands. The state changes only by
/// compare-and-swap, so the two things that must never both happen cannot: a request runs only
/// on the thread that moved the connection from Waiting to Busy, and <see cref="DaemonProtocol.NotTaken"/>
/// ("send it elsewhere") goes out only from the one that moved it from Waiting to Declined.
/// Otherwise a request read just as the worker stops could run here and again in another worker.
/// </summary>
/// <remarks>
/// The thread that declines the connection also closes the socket, after NotTaken. The thread
/// serving it may have read a request meanwhile and lost it to the decline (<see cref="TryTake"/>
/// false); if it closed the socket first, NotTaken could not be sent and the front would read
/// the end of the stream after a request the worker consumed: for a request without a body, it
/// cannot tell that from a crash in the app (a 502).
/// </remarks>
/// <param name="input">The connection's reader on a readiness loop, taken out of the loop before the socket closes; null when it reads through .NET's engine.</param>
internal sealed class FrontConnection(Socket socket, FrontConnectionInput? input = null)
{
    private const int Waiting = 0;
    private const int Busy = 1;
    private const int Declined = 2;
    private const int Broken = 3;

    private int _state;

    public Socket Socket { get; } = socket;

    /// <summary>The connection's reader on the worker's readiness loop; null when it reads through .NET's engine.</summary>
    public FrontConnectionInput? Input => input;

    /// <summary>True once a thread claimed the connection with <see cref="TryClose"/>: its socket is (being) closed by that thread.</summary>
    public bool IsDeclined => Volatile.Read(ref _state) == Declined;

    /// <summary>Takes the request just read; false when the connection was closed as idle meanwhile.</summary>
    public bool TryTake() => Interlocked.CompareExchange(ref _state, Busy, Waiting) == Waiting;

    /// <summary>Back between requests: the connection may now be closed as idle.</summary>
    public void Release() => Volatile.Write(ref _state, Waiting);

    /// <summary>
    /// Claims a connection between requests for closing; false when a request runs on it or it
    /// is closed already. The caller must then call <see cref="Decline"/>.
    /// </summary>
    public bool TryClose() => Interlocked.CompareExchange(ref _state, Declined, Waiting) == Waiting;

    /// <summary>After <see cref="TryClose"/>: sends NotTaken, then closes the socket.</summary>
    public void Decline()
    {
        try
        {
            Socket.Send([DaemonProtocol.NotTaken]);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The front closed it already: there is nobody to tell.
        }
        Close();
    }

    /// <summary>The connection is not at a request boundary (a bad frame): it closes without NotTaken.</summary>
    public void Break()
    {
        // Never over a decline: the thread that declined it closes the socket.
        int state = Volatile.Read(ref _state);
        while (state != Declined)
        {
            int seen = Interlocked.CompareExchange(ref _state, Broken, state);
            if (seen == state)
            {
                return;
            }
            state = seen;
        }
    }

    /// <summary>
    /// The serving side is done with the connection: between requests it is declined (NotTaken,
    /// then closed); mid-request or broken it is closed without a word; declined by another
    /// thread, it is left to that thread, which closes it once its NotTaken is out.
    /// </summary>
    public void End()
    {
        if (TryClose())
        {
            Decline();
        }
        else if (!IsDeclined)
        {
            Close();
        }
    }

    private void Close()
    {
        input?.Detach();
        Socket.Dispose();
    }
}
