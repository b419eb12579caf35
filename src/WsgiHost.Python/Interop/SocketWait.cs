using System.Runtime.InteropServices;

namespace WsgiHost.Python.Interop;

/// <summary>
/// Waits in <c>poll</c> until one socket is readable or writable, for the raw sends and
/// receives (<see cref="GatherSend"/>, <see cref="SocketReceive"/>) that must behave as blocking
/// calls also on a socket .NET has made non-blocking. No timeout, as a blocking call has none:
/// a socket shut down, reset or closed by its peer wakes it (POLLERR, POLLHUP), and the next
/// call reports why.
/// </summary>
internal static unsafe class SocketWait
{
    private const int EINTR = 4;
    private const short POLLIN = 1;
    private const short POLLOUT = 4;

    public static void Readable(int fd) => Wait(fd, POLLIN);

    public static void Writable(int fd) => Wait(fd, POLLOUT);

    private static void Wait(int fd, short events)
    {
        var poll = new PollFd { Fd = fd, Events = events };
        while (PollOne(&poll, 1, -1) < 0 && Marshal.GetLastPInvokeError() == EINTR)
        {
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [DllImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static extern int PollOne(PollFd* fds, nuint count, int timeout);
}
