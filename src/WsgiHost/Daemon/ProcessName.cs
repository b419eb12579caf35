using System.Runtime.InteropServices;

namespace WsgiHost.Daemon;

/// <summary>
/// display-name: the name `ps -o comm`, `top` and /proc/PID/comm show for a worker. Linux keeps
/// 15 characters; mod_wsgi also rewrites argv[0], which a .NET process cannot do in place.
/// </summary>
internal static class ProcessName
{
    private const int PR_SET_NAME = 15;

    public static void Set(string name) => _ = Prctl(PR_SET_NAME, name.Length > 15 ? name[..15] : name, 0, 0, 0);

    // DllImport, not LibraryImport: this project has no unsafe code (WsgiHost.Python alone does).
    [DllImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static extern int Prctl(int option, [MarshalAs(UnmanagedType.LPStr)] string name, nint arg3, nint arg4, nint arg5);
}
