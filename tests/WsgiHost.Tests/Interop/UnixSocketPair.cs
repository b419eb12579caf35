using System.Net.Sockets;

namespace WsgiHost.Tests.Interop;

/// <summary>Two connected Unix stream sockets, through a listener on a temporary path (removed on dispose).</summary>
internal sealed class UnixSocketPair : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"wsgihost-pair-{Guid.NewGuid():N}.sock");

    public UnixSocketPair()
    {
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(_path));
        listener.Listen(1);
        Connecting = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        Connecting.Connect(new UnixDomainSocketEndPoint(_path));
        Accepted = listener.Accept();
    }

    /// <summary>The end that connected (a daemon front's end).</summary>
    public Socket Connecting { get; }

    /// <summary>The end the listener accepted (a daemon worker's end).</summary>
    public Socket Accepted { get; }

    public void Dispose()
    {
        Connecting.Dispose();
        Accepted.Dispose();
        File.Delete(_path);
    }
}
