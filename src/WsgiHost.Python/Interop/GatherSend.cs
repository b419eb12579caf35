using System.Runtime.InteropServices;

namespace WsgiHost.Python.Interop;

/// <summary>
/// Sends a small header and a body over a stream socket as one <c>sendmsg</c> (Linux): a daemon
/// worker's body chunk goes out with its length straight from the Python bytes object, where a
/// write through a buffer first copied each 64 KiB into a managed array (perf, daemon download:
/// that copy and the array's allocation were 13% of a worker's CPU). <see cref="Send"/> blocks
/// until everything is sent, like a blocking send, also on a socket .NET has made non-blocking:
/// the calling thread waits in <c>poll</c> (a WSGI thread with the GIL released), not on .NET's
/// socket engine. <see cref="TrySend"/> never waits (a WSGI thread with the GIL held).
/// </summary>
internal static unsafe class GatherSend
{
    public static bool IsSupported => OperatingSystem.IsLinux() && IntPtr.Size == 8;

    /// <summary>
    /// Sends what the socket takes now of <paramref name="header"/> then <paramref name="body"/>,
    /// without waiting: the count of bytes sent of both, 0 when the socket's buffer is full; an
    /// <see cref="IOException"/> when the socket fails.
    /// </summary>
    public static int TrySend(SafeHandle socket, ReadOnlySpan<byte> header, ReadOnlySpan<byte> body)
    {
        bool added = false;
        socket.DangerousAddRef(ref added);
        try
        {
            fixed (byte* h = header)
            fixed (byte* b = body)
            {
                SocketMessage.Iovec* iov = stackalloc SocketMessage.Iovec[2];
                iov[0] = new SocketMessage.Iovec { Base = h, Length = (nuint)header.Length };
                iov[1] = new SocketMessage.Iovec { Base = b, Length = (nuint)body.Length };
                var message = new SocketMessage.MessageHeader { Iov = iov, IovLength = 2 };
                return SocketMessage.TrySend((int)socket.DangerousGetHandle(), &message, "sending on the socket");
            }
        }
        finally
        {
            if (added)
            {
                socket.DangerousRelease();
            }
        }
    }

    /// <summary>Sends <paramref name="header"/> then <paramref name="body"/>; an <see cref="IOException"/> when the socket fails (the peer closed it, it was shut down).</summary>
    public static void Send(SafeHandle socket, ReadOnlySpan<byte> header, ReadOnlySpan<byte> body)
    {
        bool added = false;
        // Held across the call, waits included, so a close on another thread (a worker
        // stopping) cannot free the descriptor number for reuse while it is in use here.
        socket.DangerousAddRef(ref added);
        try
        {
            while (!header.IsEmpty || !body.IsEmpty)
            {
                int sent = TrySend(socket, header, body);
                if (sent == 0)
                {
                    SocketWait.Writable((int)socket.DangerousGetHandle());
                    continue;
                }
                int fromHeader = Math.Min(sent, header.Length);
                header = header[fromHeader..];
                body = body[(sent - fromHeader)..];
            }
        }
        finally
        {
            if (added)
            {
                socket.DangerousRelease();
            }
        }
    }
}
