using System.Runtime.InteropServices;

namespace WsgiHost.Python.Interop;

/// <summary>
/// OpenSSL's per-thread state (error queue, random generators), released by the thread that
/// owns it while it still runs, where Python loaded OpenSSL (hashlib, ssl: libcrypto).
/// </summary>
/// <remarks>
/// Otherwise a thread destructor of OpenSSL's frees it as the thread ends, and for Python's
/// own thread that is the very end of the process: it ran beside the process's exit handlers,
/// among them OpenSSL's cleanup, which frees the global structures that destructor works on
/// (openssl/openssl#6214). A server stopped on SIGTERM then ended, rarely and only under load,
/// in SIGABRT ("malloc_consolidate(): invalid chunk size") right after "Python finalised."
/// Nothing is loaded here: a process where Python never loaded OpenSSL has nothing to release.
/// </remarks>
internal static unsafe class OpenSslThreadState
{
    // OpenSSL 3, then 1.1 (a Python built against it); OPENSSL_thread_stop exists in both.
    private static readonly string[] s_libraries = ["libcrypto.so.3", "libcrypto.so.1.1"];

    /// <summary>Releases the calling thread's OpenSSL state; false where no libcrypto is loaded.</summary>
    public static bool ReleaseForCurrentThread()
    {
        foreach (string library in s_libraries)
        {
            nint handle = NativeLibraryLoader.OpenIfLoaded(library);
            if (handle == 0)
            {
                continue;
            }
            try
            {
                if (NativeLibrary.TryGetExport(handle, "OPENSSL_thread_stop", out nint stop))
                {
                    ((delegate* unmanaged<void>)stop)();
                    return true;
                }
            }
            finally
            {
                NativeLibrary.Free(handle);
            }
        }
        return false;
    }
}
