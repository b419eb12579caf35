using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace WsgiHost.Python.Interop;

/// <summary>
/// Receives on a stream socket (Linux), straight, for a reader that waits for readability
/// itself (<see cref="ReadinessLoop"/>) and so must never involve .NET's socket engine: any
/// asynchronous operation on a .NET socket registers it with the engine for good. With
/// <c>recvmsg</c> and room for two descriptors, so those the peer passes
/// (<see cref="DescriptorPassing"/>) is handed to the caller instead of closed by the kernel.
/// </summary>
internal static unsafe class SocketReceive
{
    private const int EINTR = 4;
    private const int EAGAIN = 11;
    private const int ECONNRESET = 104;
    private const int EPIPE = 32;
    private const int ESHUTDOWN = 108;

    /// <summary>The result of <see cref="TryReceive"/> when nothing can be read yet.</summary>
    public const int WouldBlock = -1;

    /// <summary>
    /// Receives what is there without waiting: the count of bytes (0 at the end of the stream),
    /// or <see cref="WouldBlock"/>. An <see cref="IOException"/> when the socket fails.
    /// </summary>
    /// <param name="socket">A stream socket.</param>
    /// <param name="buffer">Where the bytes go.</param>
    /// <param name="passed">Descriptors the peer passed with the bytes received, now the caller's; else null.</param>
    public static int TryReceive(SafeHandle socket, Span<byte> buffer, out SafeFileHandle[]? passed) => Receive(socket, buffer, wait: false, out passed);

    /// <summary>Receives at least one byte, waiting for it (0 at the end of the stream), also on a socket made non-blocking.</summary>
    /// <param name="socket">A stream socket.</param>
    /// <param name="buffer">Where the bytes go.</param>
    /// <param name="passed">Descriptors the peer passed with the bytes received, now the caller's; else null.</param>
    public static int Receive(SafeHandle socket, Span<byte> buffer, out SafeFileHandle[]? passed) => Receive(socket, buffer, wait: true, out passed);

    private static int Receive(SafeHandle socket, Span<byte> buffer, bool wait, out SafeFileHandle[]? passed)
    {
        passed = null;
        bool added = false;
        // Held across the call, waits included, so a close on another thread cannot free the
        // descriptor number for reuse while it is in use here.
        socket.DangerousAddRef(ref added);
        try
        {
            int fd = (int)socket.DangerousGetHandle();
            byte* control = stackalloc byte[DescriptorPassing.ControlSpace];
            fixed (byte* b = buffer)
            {
                var iov = new SocketMessage.Iovec { Base = b, Length = (nuint)buffer.Length };
                while (true)
                {
                    var message = new SocketMessage.MessageHeader { Iov = &iov, IovLength = 1, Control = control, ControlLength = DescriptorPassing.ControlSpace };
                    // Waiting, it blocks on a blocking socket (one call, as before any readiness
                    // loop); a non-blocking one answers EAGAIN and is polled.
                    nint received = SocketMessage.recvmsg(fd, &message, SocketMessage.MSG_CMSG_CLOEXEC | (wait ? 0 : SocketMessage.MSG_DONTWAIT));
                    if (received >= 0)
                    {
                        if (message.ControlLength > 0)
                        {
                            passed = DescriptorPassing.Take(control, message.ControlLength);
                        }
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
}
