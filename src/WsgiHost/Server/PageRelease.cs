using System.Runtime.InteropServices;

namespace WsgiHost.Server;

/// <summary>Gives the pages of memory the process keeps but does not need now back to the kernel (Linux).</summary>
internal static class PageRelease
{
    private const int MadviseNormal = 0;
    private const int MadviseDontNeed = 4;

    /// <summary>Binds the system call now (an empty range), for a caller that may not bind it later (under the dynamic loader's lock).</summary>
    public static void Bind()
    {
        if (OperatingSystem.IsLinux())
        {
            _ = madvise(0, 0, MadviseNormal);
        }
    }

    /// <summary>
    /// Releases the whole pages inside [start, start + length): the memory stays mapped;
    /// anonymous memory reads as zeros when next touched, a file's page as the file's bytes
    /// again (a private copy the process wrote is lost). Partial pages at either end are kept.
    /// Returns the bytes released (0 where the system cannot).
    /// </summary>
    public static long Release(nint start, long length)
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }
        long page = Environment.SystemPageSize;
        long first = (start + page - 1) / page * page;
        long end = (start + length) / page * page;
        if (end <= first)
        {
            return 0;
        }
        return madvise((nint)first, (nuint)(end - first), MadviseDontNeed) == 0 ? end - first : 0;
    }

    // DllImport, not LibraryImport: this project has no unsafe code (WsgiHost.Python alone does).
    [DllImport("libc", SetLastError = true)]
    private static extern int madvise(nint address, nuint length, int advice);
}
