using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace WsgiHost.Daemon;

/// <summary>
/// display-name: the name `ps`, `top` and `pkill -f` show for a worker, as mod_wsgi sets it.
/// Linux keeps 15 bytes in /proc/PID/comm (prctl); the full name goes where the kernel reads
/// /proc/PID/cmdline from, the process's own argv memory, overwritten in place as
/// setproctitle(3) does (.NET copied its arguments at startup, so nothing reads them again).
/// </summary>
internal static class ProcessName
{
    private const int PR_SET_NAME = 15;

    public static void Set(string name)
    {
        _ = Prctl(PR_SET_NAME, Truncate(name, 15), 0, 0, 0);
        try
        {
            SetCommandLine(name);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            // comm is set; a kernel that hides argv (or a sandbox that denies /proc/self/mem) keeps the command line.
        }
    }

    /// <summary>Writes the name, then NULs to the end of the argv area, so the whole cmdline reads as the name.</summary>
    private static void SetCommandLine(string name)
    {
        // /proc/self/stat: "pid (comm) state ..." with arg_start and arg_end the 48th and 49th
        // fields; comm may hold spaces, so count from the last ')' (field 3 onwards).
        string stat = File.ReadAllText("/proc/self/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long start = long.Parse(fields[48 - 3], CultureInfo.InvariantCulture);
        long end = long.Parse(fields[49 - 3], CultureInfo.InvariantCulture);
        if (start <= 0 || end <= start)
        {
            return;
        }
        byte[] area = new byte[end - start];
        byte[] text = Encoding.UTF8.GetBytes(name);
        // The last byte stays NUL: the kernel then reads the area as plain argv.
        Array.Copy(text, area, Math.Min(text.Length, area.Length - 1));
        using var memory = new FileStream("/proc/self/mem", FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1, FileOptions.None);
        memory.Position = start;
        memory.Write(area);
    }

    private static string Truncate(string name, int bytes)
    {
        while (Encoding.UTF8.GetByteCount(name) > bytes)
        {
            name = name[..^1];
        }
        return name;
    }

    // DllImport, not LibraryImport: this project has no unsafe code (WsgiHost.Python alone does).
    [DllImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static extern int Prctl(int option, [MarshalAs(UnmanagedType.LPStr)] string name, nint arg3, nint arg4, nint arg5);
}
