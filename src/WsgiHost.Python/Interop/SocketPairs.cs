using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace WsgiHost.Python.Interop;

/// <summary>
/// A connected pair of Unix stream sockets (<c>socketpair</c>, Linux): one end kept as a .NET
/// socket, which this process can await, the other to pass to another process
/// (<see cref="DescriptorPassing"/>). Both close on exec.
/// </summary>
internal static unsafe class SocketPairs
{
    private const int AF_UNIX = 1;
    private const int SOCK_STREAM = 1;
    private const int SOCK_CLOEXEC = 0x80000;

    /// <exception cref="IOException">The system refused (out of descriptors).</exception>
    public static (Socket Local, SafeFileHandle Remote) Create()
    {
        int* fds = stackalloc int[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"socketpair failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
        }
        var local = new SafeSocketHandle(fds[0], ownsHandle: true);
        var remote = new SafeFileHandle(fds[1], ownsHandle: true);
        try
        {
            return (new Socket(local), remote);
        }
        catch (SocketException e)
        {
            local.Dispose();
            remote.Dispose();
            throw new IOException($"socketpair: {e.Message}", e);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int socketpair(int domain, int type, int protocol, int* fds);
}
