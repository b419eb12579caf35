using System.Runtime.InteropServices;

namespace WsgiHost.Python.Interop;

/// <summary>
/// Loads libpython with RTLD_GLOBAL. NativeLibrary.Load uses RTLD_LOCAL, and then every
/// extension module (_json, _ctypes, markupsafe) fails with "undefined symbol: PyFloat_Type"
/// because they expect libpython's symbols in the global namespace.
/// </summary>
internal static partial class NativeLibraryLoader
{
    private const int RTLD_LAZY = 0x1;
    private const int RTLD_NOW = 0x2;
    private const int RTLD_NOLOAD = 0x4;
    private const int RTLD_GLOBAL = 0x100;

    [LibraryImport("libc", EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint DlOpen(string fileName, int flags);

    [LibraryImport("libc", EntryPoint = "dlerror")]
    private static partial nint DlError();

    public static nint LoadGlobal(string path)
    {
        nint handle = DlOpen(path, RTLD_NOW | RTLD_GLOBAL);
        if (handle == 0)
        {
            string reason = Marshal.PtrToStringUTF8(DlError()) ?? "unknown dlopen error";
            throw new DllNotFoundException($"cannot load {path}: {reason}");
        }
        return handle;
    }

    /// <summary>
    /// A handle to the library if this process has it loaded already (by any name it was loaded
    /// under, as a dependency too), else 0, loading nothing. Free it with NativeLibrary.Free.
    /// </summary>
    public static nint OpenIfLoaded(string soname) => DlOpen(soname, RTLD_LAZY | RTLD_NOLOAD);
}
