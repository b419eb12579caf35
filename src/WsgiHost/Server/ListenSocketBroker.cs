using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using WsgiHost.Logging;
using WsgiHost.Python.Interop;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Server;

/// <summary>
/// The supervisor's side of the server processes' listening sockets (<see cref="ListenSocketClient"/>
/// is the other): each place among the server processes gets its own socket per address, bound
/// with SO_REUSEPORT as a process would bind it, so the kernel still spreads connections across
/// the places; the supervisor keeps it while the processes at that place are replaced. This
/// process never accepts on them.
/// </summary>
internal sealed class ListenSocketBroker : IDisposable
{
    private readonly Dictionary<(int Place, IPEndPoint Endpoint), Held> _sockets = [];
    private readonly Lock _lock = new();
    private readonly IErrorLog _log;
    private bool _disposed;

    private readonly Action<string>? _errorLogNamed;

    /// <param name="errorLogNamed">Called with the ErrorLog file a server process names (<see cref="ListenSocketChannel.ErrorLog"/>).</param>
    public ListenSocketBroker(IErrorLog log, Action<string>? errorLogNamed = null)
    {
        _log = log;
        _errorLogNamed = errorLogNamed;
    }

    /// <summary>A socket and how many running server processes asked for it.</summary>
    internal sealed class Held(Socket socket)
    {
        public Socket Socket { get; } = socket;

        public int Holders { get; set; }
    }

    /// <summary>Listening sockets held.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _sockets.Count;
            }
        }
    }

    /// <summary>The sockets one server process asked for; disposed when it has exited, which lets them go.</summary>
    public sealed class Lease : IDisposable
    {
        private readonly ListenSocketBroker _broker;
        private readonly List<Held> _held = [];
        private bool _ended;

        internal Lease(ListenSocketBroker broker) => _broker = broker;

        /// <summary>Under the broker's lock.</summary>
        internal bool TryAdd(Held socket)
        {
            if (_ended)
            {
                return false;
            }
            socket.Holders++;
            _held.Add(socket);
            return true;
        }

        public void Dispose()
        {
            lock (_broker._lock)
            {
                if (_ended)
                {
                    return;
                }
                _ended = true;
                foreach (Held socket in _held)
                {
                    socket.Holders--;
                }
                _held.Clear();
            }
        }
    }

    /// <summary>
    /// A channel for a server process about to start at <paramref name="place"/>: the environment
    /// entry that tells it so, the end it inherits, which the caller disposes once the process
    /// has started (or failed to), and the lease on what it asks for, to dispose when it has exited.
    /// </summary>
    /// <exception cref="IOException">The system refused a socket pair.</exception>
    public (KeyValuePair<string, string> Variable, SafeHandle Inherited, Lease Lease) Open(int place)
    {
        (Socket local, Microsoft.Win32.SafeHandles.SafeFileHandle remote) = SocketPairs.Create();
        try
        {
            // Inherited by the next program started, which is the server process: starts are one at a time.
            CloseOnExec.Set(remote, closeOnExec: false);
        }
        catch
        {
            local.Dispose();
            remote.Dispose();
            throw;
        }
        var lease = new Lease(this);
        _ = ServeAsync(place, local, lease);
        string fd = ((int)remote.DangerousGetHandle()).ToString(CultureInfo.InvariantCulture);
        return (new KeyValuePair<string, string>(ListenSocketChannel.Variable, fd), remote, lease);
    }

    /// <summary>Answers one process's requests until it exits (the channel's end).</summary>
    private async Task ServeAsync(int place, Socket channel, Lease lease)
    {
        var line = new List<byte>();
        byte[] buffer = new byte[256];
        try
        {
            while (true)
            {
                int received = await channel.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                if (received == 0)
                {
                    break;
                }
                foreach (byte b in buffer.AsSpan(0, received))
                {
                    if (b != '\n')
                    {
                        line.Add(b);
                        continue;
                    }
                    Answer(channel, place, Encoding.UTF8.GetString([.. line]), lease);
                    line.Clear();
                }
            }
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
        {
            // The process went away mid-answer: as at the channel's end.
        }
        finally
        {
            channel.Dispose();
        }
    }

    private void Answer(Socket channel, int place, string request, Lease lease)
    {
        if (ListenSocketChannel.ParseErrorLog(request) is string errorLog)
        {
            _errorLogNamed?.Invoke(errorLog);
            return;
        }
        if (ListenSocketChannel.ParseRequest(request) is not IPEndPoint endpoint)
        {
            channel.Send(Encoding.UTF8.GetBytes(ListenSocketChannel.Refused(SocketError.InvalidArgument, $"not a listening socket request: '{request}'")));
            return;
        }
        Held? socket;
        lock (_lock)
        {
            if (_disposed)
            {
                throw new ObjectDisposedException(nameof(ListenSocketBroker));
            }
            if (!_sockets.TryGetValue((place, endpoint), out socket))
            {
                try
                {
                    socket = new Held(ReusePortSocket.Create(endpoint));
                }
                catch (SocketException e)
                {
                    channel.Send(Encoding.UTF8.GetBytes(ListenSocketChannel.Refused(e.SocketErrorCode, e.Message)));
                    return;
                }
                _sockets[(place, endpoint)] = socket;
            }
            if (!lease.TryAdd(socket))
            {
                throw new ObjectDisposedException(nameof(Lease)); // the process has exited
            }
        }
        ReadOnlySpan<byte> granted = "K\n"u8;
        // Two bytes on an otherwise idle channel: the socket's buffer has room.
        int sent = DescriptorPassing.TrySend(channel.SafeHandle, granted, socket.Socket.SafeHandle);
        if (sent == 0)
        {
            throw new IOException("the channel to a server process is full");
        }
        if (sent < granted.Length)
        {
            channel.Send(granted[sent..]);
        }
    }

    /// <summary>
    /// Closes the sockets no running server process holds: after a reload, the addresses the
    /// new configuration no longer listens on; at one <paramref name="place"/>, those of a process
    /// that died, so that the kernel sends new connections to the other places until its
    /// replacement serves, instead of queueing them for it. The count closed.
    /// </summary>
    public int CloseUnheld(int? place = null)
    {
        List<((int Place, IPEndPoint Endpoint) Key, Held Socket)> unheld;
        lock (_lock)
        {
            unheld = [.. _sockets.Where(s => s.Value.Holders <= 0 && (place == null || s.Key.Place == place)).Select(s => (s.Key, s.Value))];
            foreach (var (key, _) in unheld)
            {
                _sockets.Remove(key);
            }
        }
        foreach (var (_, socket) in unheld)
        {
            socket.Socket.Dispose();
        }
        if (unheld.Count > 0 && place == null)
        {
            _log.Write(ErrorLogLevel.Notice, "core",
                $"Closed {unheld.Count} listening socket(s) no server process listens on any more: {string.Join(", ", unheld.Select(u => u.Key.Endpoint.ToString()).Distinct())}.");
        }
        return unheld.Count;
    }

    public void Dispose()
    {
        List<Held> all;
        lock (_lock)
        {
            _disposed = true;
            all = [.. _sockets.Values];
            _sockets.Clear();
        }
        foreach (Held socket in all)
        {
            socket.Socket.Dispose();
        }
    }
}
