using System.Runtime.InteropServices;

namespace WsgiHost.Python.Interop;

/// <summary>
/// A descriptor's close-on-exec flag (<c>fcntl F_SETFD</c>). .NET opens every descriptor with it
/// set; one a started program is to inherit (a supervisor's channel to a server process) has it
/// cleared just for that start, and the receiver sets it again so that nothing the app starts
/// inherits it in turn.
/// </summary>
internal static class CloseOnExec
{
    private const int F_SETFD = 2;
    private const int FD_CLOEXEC = 1;

    /// <exception cref="IOException">The descriptor is not open.</exception>
    public static void Set(SafeHandle descriptor, bool closeOnExec)
    {
        bool added = false;
        descriptor.DangerousAddRef(ref added);
        try
        {
            if (fcntl((int)descriptor.DangerousGetHandle(), F_SETFD, closeOnExec ? FD_CLOEXEC : 0) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                throw new IOException($"fcntl(F_SETFD) failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
            }
        }
        finally
        {
            if (added)
            {
                descriptor.DangerousRelease();
            }
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int fcntl(int fd, int command, int argument);
}
