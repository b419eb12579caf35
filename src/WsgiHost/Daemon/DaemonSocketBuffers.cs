using System.Net.Sockets;

namespace WsgiHost.Daemon;

/// <summary>
/// send-buffer-size= and receive-buffer-size= on a connection between the front and a worker,
/// set at both ends as mod_wsgi does. Each end's own: a Unix stream socket holds what it sends
/// against its sender's SO_SNDBUF, so the worker's sizes the responses in flight and the
/// front's the request bodies, where they go through the socket (a body over 64 KiB goes
/// through the connection's shared memory instead, <see cref="BodySlots"/>). Set on each connection, since a Unix socket accepted from a
/// listener does not inherit the listener's. 0 leaves the system's size.
/// </summary>
internal static class DaemonSocketBuffers
{
    public static void Apply(Socket socket, int sendBufferSize, int receiveBufferSize)
    {
        if (sendBufferSize > 0)
        {
            socket.SendBufferSize = sendBufferSize;
        }
        if (receiveBufferSize > 0)
        {
            socket.ReceiveBufferSize = receiveBufferSize;
        }
    }
}
