using System.Runtime.InteropServices;

namespace WsgiHost.Daemon;

/// <summary>
/// The C environment of this process, which Python copies into os.environ when it starts.
/// .NET's Environment.SetEnvironmentVariable changes only .NET's own copy, so a variable set or
/// removed that way would still reach (or never reach) the app.
/// </summary>
internal static class ProcessEnvironment
{
    public static void Set(string name, string value) => _ = setenv(name, value, 1);

    public static void Unset(string name)
    {
        _ = unsetenv(name);
        Environment.SetEnvironmentVariable(name, null);
    }

    // DllImport, not LibraryImport: this project has no unsafe code (WsgiHost.Python alone does).
    [DllImport("libc", SetLastError = true)]
    private static extern int setenv([MarshalAs(UnmanagedType.LPStr)] string name, [MarshalAs(UnmanagedType.LPStr)] string value, int overwrite);

    [DllImport("libc", SetLastError = true)]
    private static extern int unsetenv([MarshalAs(UnmanagedType.LPStr)] string name);
}
