using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace WsgiHost.Python.Interop;

/// <summary>
/// <c>recv</c> on a stream socket (Linux), straight, for a reader that waits for readability
/// itself (<see cref="ReadinessLoop"/>) and so must never involve .NET's socket engine: any
/// asynchronous operation on a .NET socket registers it with the engine for good.
/// </summary>
internal static unsafe class SocketReceive
{
    private const int EINTR = 4;
    private const int EAGAIN = 11;
    private const int ECONNRESET = 104;
    private const int EPIPE = 32;
    private const int ESHUTDOWN = 108;
    private const int MSG_DONTWAIT = 0x40;

    /// <summary>The result of <see cref="TryReceive"/> when nothing can be read yet.</summary>
    public const int WouldBlock = -1;

    /// <summary>
    /// Receives what is there without waiting: the count of bytes (0 at the end of the stream),
    /// or <see cref="WouldBlock"/>. An <see cref="IOException"/> when the socket fails.
    /// </summary>
    public static int TryReceive(SafeHandle socket, Span<byte> buffer) => Receive(socket, buffer, wait: false);

    /// <summary>Receives at least one byte, waiting for it (0 at the end of the stream), also on a socket made non-blocking.</summary>
    public static int Receive(SafeHandle socket, Span<byte> buffer) => Receive(socket, buffer, wait: true);

    private static int Receive(SafeHandle socket, Span<byte> buffer, bool wait)
    {
        bool added = false;
        // Held across the call, waits included, so a close on another thread cannot free the
        // descriptor number for reuse while it is in use here.
        socket.DangerousAddRef(ref added);
        try
        {
            int fd = (int)socket.DangerousGetHandle();
            fixed (byte* b = buffer)
            {
                while (true)
                {
                    // Waiting, a plain recv blocks on a blocking socket (one call, as before any
                    // readiness loop); a non-blocking one answers EAGAIN and is polled.
                    nint received = recv(fd, b, (nuint)buffer.Length, wait ? 0 : MSG_DONTWAIT);
                    if (received >= 0)
                    {
                        return (int)received;
                    }
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == EINTR)
                    {
                        continue;
                    }
                    if (errno != EAGAIN)
                    {
                        throw Failed(errno);
                    }
                    if (!wait)
                    {
                        return WouldBlock;
                    }
                    SocketWait.Readable(fd);
                }
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

    // Shaped as NetworkStream's failures (an IOException around a SocketException), which the
    // worker already tells apart: a reset front is not a malformed frame.
    private static IOException Failed(int errno)
    {
        SocketError code = errno switch
        {
            ECONNRESET => SocketError.ConnectionReset,
            EPIPE or ESHUTDOWN => SocketError.Shutdown,
            _ => SocketError.SocketError,
        };
        return new IOException($"receiving on the socket failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", new SocketException((int)code));
    }

    [DllImport("libc", SetLastError = true)]
    private static extern nint recv(int fd, byte* buffer, nuint length, int flags);
}
