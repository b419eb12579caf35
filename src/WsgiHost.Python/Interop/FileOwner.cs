using System.Runtime.InteropServices;
using System.Text;

namespace WsgiHost.Python.Interop;

/// <summary>
/// Who owns a file and who may write it (statx(2), whose layout is the same on every Linux
/// architecture): what WSGIDaemonProcess script-user= and script-group= check before a request
/// runs a script. .NET gives a file's mode but not its owner.
/// </summary>
internal static unsafe class FileOwner
{
    private const int AT_FDCWD = -100;
    private const uint STATX_MODE = 0x2, STATX_UID = 0x8, STATX_GID = 0x10;
    private const int UidOffset = 20, GidOffset = 24, ModeOffset = 28;
    private const int StatxSize = 256;

    private const int AT_SYMLINK_NOFOLLOW = 0x100;

    /// <summary>The owner, group and permission bits of <paramref name="path"/>, or of the link itself when not <paramref name="followLinks"/>; null when it cannot be read.</summary>
    public static (uint Uid, uint Gid, UnixFileMode Mode)? Of(string path, bool followLinks = true)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(path + "\0");
        byte* buffer = stackalloc byte[StatxSize];
        fixed (byte* p = utf8)
        {
            if (statx(AT_FDCWD, p, followLinks ? 0 : AT_SYMLINK_NOFOLLOW, STATX_MODE | STATX_UID | STATX_GID, buffer) != 0)
            {
                return null;
            }
        }
        return (*(uint*)(buffer + UidOffset), *(uint*)(buffer + GidOffset), (UnixFileMode)(*(ushort*)(buffer + ModeOffset) & 0xFFF));
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int statx(int dirfd, byte* path, int flags, uint mask, byte* buffer);
}
