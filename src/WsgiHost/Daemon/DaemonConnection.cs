using System.Net.Sockets;

namespace WsgiHost.Daemon;

/// <summary>
/// One connection from the server to a daemon worker, kept between requests: the socket for
/// writing, and a read buffer that belongs to it (bytes already buffered must stay with it).
/// </summary>
internal sealed class DaemonConnection(Socket socket) : IDisposable
{
    private bool _slotsRefused;

    public Socket Socket => socket;

    public NetworkStream Output { get; } = new(socket, ownsSocket: true);

    public Stream Input { get; } = new DaemonConnectionInput(socket);

    /// <summary>Where request heads are written (<see cref="DaemonProtocol.EncodeRequest(IReadOnlyList{KeyValuePair{string, string}}, string?, bool, in System.Buffers.ReadOnlySequence{byte}, byte[], out byte[])"/>), each sent before the next; a larger one, or one with its body, gets a pooled array.</summary>
    public byte[] RequestBuffer { get; } = new byte[4 * 1024];

    /// <summary>Where response heads are read (<see cref="DaemonProtocol.ReadHeadAsync(Stream, byte[], CancellationToken)"/>); a larger one gets an array of its own.</summary>
    public byte[] HeadBuffer { get; } = new byte[4 * 1024];

    /// <summary>Where the worker's one-byte answer to a request head is read.</summary>
    public byte[] AcceptBuffer { get; } = new byte[1];

    /// <summary>The strings of the last response head read here, for the next one (<see cref="DaemonProtocol.ParseResponseHead"/>).</summary>
    public FrameStrings ResponseStrings { get; } = new();

    /// <summary>The connection's shared memory for streamed request bodies, once one came (<see cref="BodySlots"/>).</summary>
    public BodySlots? Slots { get; private set; }

    /// <summary>The worker has the connection's <see cref="Slots"/> (<see cref="DaemonProtocol.SlotsAttached"/> went out).</summary>
    public bool SlotsAttached { get; set; }

    /// <summary>The worker process the connection leads to.</summary>
    public DaemonGroupRuntime.Worker? Worker { get; init; }

    /// <summary>Owned by a watch after a socket-timeout (<see cref="DaemonGroupRuntime"/>): whoever sent the request leaves it open.</summary>
    public bool Detached { get; set; }

    /// <summary>When it last went back to its pool (<see cref="Environment.TickCount64"/>, <see cref="DaemonConnectionPool.Return"/>).</summary>
    public long IdleSince { get; set; }

    /// <summary>The connection's slots, made now for its first streamed body; null where shared memory cannot be had (asked once a connection).</summary>
    public BodySlots? SlotsForBody()
    {
        if (Slots == null && !_slotsRefused)
        {
            Slots = BodySlots.TryCreate();
            _slotsRefused = Slots == null;
        }
        return Slots;
    }

    public void Dispose()
    {
        Input.Dispose();
        Output.Dispose();
        Slots?.Dispose();
    }
}
