using System.Runtime.InteropServices;

namespace WsgiHost.Python.Interop;

/// <summary>
/// <c>sendmsg</c> and <c>recvmsg</c> (Linux, 64-bit) with their structures, for the raw sends
/// and receives that .NET's sockets cannot make: gathered writes from native memory
/// (<see cref="GatherSend"/>) and descriptors passed along a Unix socket (SCM_RIGHTS,
/// <see cref="DescriptorPassing"/>, <see cref="SocketReceive"/>).
/// </summary>
internal static unsafe class SocketMessage
{
    public const int MSG_DONTWAIT = 0x40;
    private const int MSG_NOSIGNAL = 0x4000;

    /// <summary>A descriptor received is closed on exec, as every descriptor .NET opens: a program the app starts does not inherit it.</summary>
    public const int MSG_CMSG_CLOEXEC = 0x40000000;

    public const int SOL_SOCKET = 1;
    public const int SCM_RIGHTS = 1;

    /// <summary>A control message header (<c>struct cmsghdr</c>): 16 bytes, the data after it.</summary>
    public const int ControlHeaderBytes = 16;

    [StructLayout(LayoutKind.Sequential)]
    public struct Iovec
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MessageHeader
    {
        public nint Name;
        public uint NameLength;
        public Iovec* Iov;
        public nuint IovLength;
        public byte* Control;
        public nuint ControlLength;
        public int Flags;
    }

    /// <summary>A control message header (<c>struct cmsghdr</c>).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ControlHeader
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

    private const int EINTR = 4;
    private const int EAGAIN = 11;

    /// <summary>
    /// <c>sendmsg</c> without waiting (nor SIGPIPE): the count of bytes sent, 0 when the socket's
    /// buffer is full; an <see cref="IOException"/> naming <paramref name="what"/> when it fails.
    /// </summary>
    public static int TrySend(int fd, MessageHeader* message, string what)
    {
        while (true)
        {
            nint sent = sendmsg(fd, message, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (sent >= 0)
            {
                return (int)sent;
            }
            int errno = Marshal.GetLastPInvokeError();
            if (errno == EAGAIN)
            {
                return 0;
            }
            if (errno != EINTR)
            {
                throw new IOException($"{what} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
            }
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern nint sendmsg(int fd, MessageHeader* message, int flags);

    [DllImport("libc", SetLastError = true)]
    public static extern nint recvmsg(int fd, MessageHeader* message, int flags);

    [DllImport("libc", SetLastError = true)]
    public static extern int close(int fd);
}
