using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace WsgiHost.StaticFiles;

/// <summary>
/// A file's inode number, for FileETag INode (.NET does not expose it). fstat's struct stat
/// starts with st_dev and then st_ino, both 64-bit, on x86-64 and on arm64 (the generic layout).
/// </summary>
internal static class FileInode
{
    /// <summary>The inode of the open file; 0 where it cannot be had (then the tag simply has a 0 there).</summary>
    public static ulong Of(SafeFileHandle handle)
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }
        var stat = new byte[256];
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return fstat((int)handle.DangerousGetHandle(), stat) == 0 ? BitConverter.ToUInt64(stat, 8) : 0;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    // DllImport, not LibraryImport: this project has no unsafe code (WsgiHost.Python alone does).
    [DllImport("libc", SetLastError = true)]
    private static extern int fstat(int fd, byte[] buffer);
}
