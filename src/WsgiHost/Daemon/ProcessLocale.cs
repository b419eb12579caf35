using System.Runtime.InteropServices;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Daemon;

/// <summary>
/// locale=: mod_wsgi calls setlocale(LC_ALL, locale) in the daemon process, so dates, numbers
/// and collation follow it (time.strftime('%A'), locale.localeconv()). Python at startup sets
/// only LC_CTYPE from the environment, so LC_ALL in the worker's environment alone left the
/// other categories at "C".
/// </summary>
internal static class ProcessLocale
{
    private const int LC_ALL = 6;

    /// <summary>Sets every category; an unknown locale is logged as mod_wsgi logs it, and the process goes on.</summary>
    public static void SetAll(string locale, string group, IErrorLog log)
    {
        if (setlocale(LC_ALL, locale) == IntPtr.Zero)
        {
            log.Write(ErrorLogLevel.Warning, "wsgi",
                $"Unsupported locale setting '{locale}' specified for daemon process group '{group}'. Consider using 'C.UTF-8' as fallback setting (locale -a lists the locales this machine has).");
        }
    }

    // The result points into libc's static storage: never freed.
    [DllImport("libc")]
    private static extern IntPtr setlocale(int category, [MarshalAs(UnmanagedType.LPStr)] string locale);
}
