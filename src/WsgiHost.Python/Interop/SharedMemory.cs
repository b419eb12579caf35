using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace WsgiHost.Python.Interop;

/// <summary>
/// Memory two processes share (Linux): an anonymous file (<c>memfd_create</c>) of a fixed size,
/// sealed so that no process holding it can shrink or grow it, and mapped with <c>mmap</c>.
/// The seals are what make it safe to write into memory a less trusted process also maps: a
/// file cut short under a mapping turns the next write into SIGBUS, which would kill the
/// writer, so the creator seals it before it passes the descriptor on, and a process that
/// receives one maps it only once it has checked the seals and the size.
/// </summary>
internal static unsafe class SharedMemory
{
    private const uint MFD_CLOEXEC = 1;
    private const uint MFD_ALLOW_SEALING = 2;
    private const int F_ADD_SEALS = 1033;
    private const int F_GET_SEALS = 1034;
    private const int F_SEAL_SEAL = 1;
    private const int F_SEAL_SHRINK = 2;
    private const int F_SEAL_GROW = 4;
    private const int PROT_READ = 1;
    private const int PROT_WRITE = 2;
    private const int MAP_SHARED = 1;

    /// <summary>The seals every shared file carries: its size is fixed for good.</summary>
    private const int SizeSeals = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL;

    public static bool IsSupported => OperatingSystem.IsLinux() && IntPtr.Size == 8;

    /// <summary>
    /// A new shared file of <paramref name="length"/> bytes (zeros), its size sealed, closed
    /// on exec (a process the holder starts does not inherit it). The name shows in
    /// <c>/proc/PID/maps</c> as <c>/memfd:NAME</c>.
    /// </summary>
    /// <exception cref="IOException">The system refused (no memfd, a seccomp filter, no memory).</exception>
    public static SafeFileHandle Create(string name, long length)
    {
        byte[] nameBytes = System.Text.Encoding.UTF8.GetBytes(name + "\0");
        int fd;
        fixed (byte* n = nameBytes)
        {
            fd = memfd_create(n, MFD_CLOEXEC | MFD_ALLOW_SEALING);
        }
        if (fd < 0)
        {
            throw Failed("memfd_create");
        }
        var file = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            if (ftruncate(fd, length) != 0)
            {
                throw Failed("ftruncate");
            }
            if (fcntl(fd, F_ADD_SEALS, SizeSeals) != 0)
            {
                throw Failed("fcntl(F_ADD_SEALS)");
            }
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Maps the whole of a shared file received from another process, read and write, after
    /// checking it is one: sealed against shrinking and growing, and exactly
    /// <paramref name="length"/> bytes.
    /// </summary>
    /// <exception cref="InvalidDataException">Not sealed, or of another size.</exception>
    public static SharedMapping MapReceived(SafeFileHandle file, long length)
    {
        int seals = fcntl((int)file.DangerousGetHandle(), F_GET_SEALS, 0);
        if (seals < 0 || (seals & (F_SEAL_SHRINK | F_SEAL_GROW)) != (F_SEAL_SHRINK | F_SEAL_GROW))
        {
            throw new InvalidDataException("the shared memory passed is not sealed against resizing");
        }
        long size = RandomAccess.GetLength(file);
        if (size != length)
        {
            throw new InvalidDataException($"the shared memory passed is {size} bytes, not {length}");
        }
        return Map(file, length);
    }

    /// <summary>Maps the whole of a shared file, read and write.</summary>
    public static SharedMapping Map(SafeFileHandle file, long length)
    {
        bool added = false;
        file.DangerousAddRef(ref added);
        try
        {
            nint address = mmap(0, (nuint)length, PROT_READ | PROT_WRITE, MAP_SHARED, (int)file.DangerousGetHandle(), 0);
            if (address == -1)
            {
                throw Failed("mmap");
            }
            return new SharedMapping(address, length);
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    internal static void Unmap(nint address, long length) => munmap(address, (nuint)length);

    private static IOException Failed(string call)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new IOException($"{call} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int memfd_create(byte* name, uint flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int ftruncate(int fd, long length);

    [DllImport("libc", SetLastError = true)]
    private static extern int fcntl(int fd, int command, int argument);

    [DllImport("libc", SetLastError = true)]
    private static extern nint mmap(nint address, nuint length, int protection, int flags, int fd, long offset);

    [DllImport("libc", SetLastError = true)]
    private static extern int munmap(nint address, nuint length);
}
