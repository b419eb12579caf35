using System.Runtime.InteropServices;

namespace WsgiHost.Python.Interop;

/// <summary>
/// <c>sendfile(2)</c> (Linux): a range of a file goes to a socket inside the kernel. A daemon
/// worker sends <c>wsgi.file_wrapper</c>'s file this way, as Apache, uWSGI and gunicorn send it
/// to their clients: reading it into an array and copying that into the write buffer first cost
/// a read call and two copies per 64 KiB. Blocks until the range is sent, like a blocking send,
/// also on a socket .NET has made non-blocking (the calling thread waits in <c>poll</c>, a WSGI
/// thread with the GIL released).
/// </summary>
internal static unsafe class FileSend
{
    private const int EINTR = 4;
    private const int EAGAIN = 11;
    private const int EINVAL = 22;
    private const int ENOSYS = 38;
    private const int EOPNOTSUPP = 95;

    public static bool IsSupported => OperatingSystem.IsLinux() && IntPtr.Size == 8;

    /// <summary>
    /// Sends <paramref name="count"/> bytes of <paramref name="file"/> from
    /// <paramref name="offset"/> (its own position is left as it is). Returns the bytes sent:
    /// fewer only when the file ended first (it shrank since its size was taken); -1, with
    /// nothing sent, when the kernel cannot send from this file (a file system without the
    /// support): the caller copies it instead. An <see cref="IOException"/> when the socket
    /// fails or the file cannot be read.
    /// </summary>
    public static long Send(SafeHandle socket, SafeHandle file, long offset, long count)
    {
        bool socketAdded = false;
        bool fileAdded = false;
        // Held across the call, waits included, so a close on another thread cannot free either
        // descriptor number for reuse while it is in use here.
        socket.DangerousAddRef(ref socketAdded);
        file.DangerousAddRef(ref fileAdded);
        try
        {
            int output = (int)socket.DangerousGetHandle();
            int input = (int)file.DangerousGetHandle();
            long position = offset;
            long left = count;
            while (left > 0)
            {
                // The kernel takes at most 2 GiB less a page per call.
                nint sent = sendfile(output, input, &position, (nuint)Math.Min(left, int.MaxValue & ~4095));
                if (sent > 0)
                {
                    left -= sent;
                    continue;
                }
                if (sent == 0)
                {
                    break; // the end of the file
                }
                int errno = Marshal.GetLastPInvokeError();
                if (errno == EAGAIN)
                {
                    SocketWait.Writable(output);
                }
                else if (errno is EINVAL or ENOSYS or EOPNOTSUPP && left == count)
                {
                    return -1;
                }
                else if (errno != EINTR)
                {
                    throw new IOException($"sending the file on the socket failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
                }
            }
            return count - left;
        }
        finally
        {
            if (fileAdded)
            {
                file.DangerousRelease();
            }
            if (socketAdded)
            {
                socket.DangerousRelease();
            }
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern nint sendfile(int outFd, int inFd, long* offset, nuint count);
}
