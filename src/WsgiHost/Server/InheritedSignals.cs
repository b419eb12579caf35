using System.Runtime.InteropServices;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Server;

/// <summary>
/// Takes back the control signals that the parent may have set to "ignore". Ignored signals
/// stay ignored across exec, and .NET does not install a handler for a signal that was ignored
/// when the process started, so a PosixSignalRegistration for it is silently never called.
/// `nohup wsgihost run site.conf &amp;` then ignores every later `kill -HUP`: no reload, no log
/// line. Apache's httpd installs its handlers whatever it inherited; so does WsgiHost.
/// </summary>
internal static class InheritedSignals
{
    public const int SigHup = 1;
    public const int SigInt = 2;
    public const int SigUsr1 = 10;
    public const int SigUsr2 = 12;
    private static readonly IntPtr s_default = IntPtr.Zero; // SIG_DFL
    private static readonly IntPtr s_ignore = new(1);       // SIG_IGN

    /// <summary>Resets SIGHUP and SIGUSR1 to their default action if they were ignored, and says so; call before registering handlers for them.</summary>
    public static void Reclaim(IErrorLog log) => Reclaim(log, SigHup, SigUsr1);

    /// <summary>Resets the given signals to their default action where they were ignored, and says so; call before registering handlers for them.</summary>
    public static void Reclaim(IErrorLog log, params int[] signals)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        foreach (int number in signals)
        {
            string name = number switch { SigHup => "SIGHUP", SigInt => "SIGINT", SigUsr1 => "SIGUSR1", SigUsr2 => "SIGUSR2", _ => $"signal {number}" };
            // Only the handler, the first field of glibc's struct sigaction, is read; the buffer
            // is larger than the struct on every Linux architecture.
            var current = new byte[256];
            if (SigAction(number, IntPtr.Zero, current) == 0 && BitConverter.ToInt64(current, 0) == s_ignore.ToInt64())
            {
                Signal(number, s_default);
                log.Write(ErrorLogLevel.Info, "core", $"{name} was inherited as ignored (nohup?); WsgiHost handles it anyway.");
            }
        }
    }

    // DllImport, not LibraryImport: this project has no unsafe code (WsgiHost.Python alone does).
    [DllImport("libc", EntryPoint = "sigaction")]
    private static extern int SigAction(int signal, IntPtr action, [Out] byte[] previous);

    [DllImport("libc", EntryPoint = "signal")]
    private static extern IntPtr Signal(int signal, IntPtr handler);
}
