using System.Runtime.InteropServices;

namespace WsgiHost.Access;

/// <summary>
/// The system's crypt(3) (libxcrypt, part of every Debian and Ubuntu system), for the hashes APR leaves to
/// it: bcrypt, SHA-crypt, yescrypt and DES. <c>crypt_rn</c> is the reentrant form that answers null, not a
/// "*" string, for a setting it does not know.
/// </summary>
internal static class LibCrypt
{
    /// <summary>libxcrypt's <c>struct crypt_data</c> is 32 KiB.</summary>
    private const int DataBytes = 32768;

    /// <summary>The hash of <paramref name="password"/> with <paramref name="setting"/>'s method and salt; null when crypt cannot make one.</summary>
    public static string? Crypt(byte[] password, string setting)
    {
        IntPtr data = Marshal.AllocHGlobal(DataBytes);
        try
        {
            ZeroFill(data);
            IntPtr result = CryptRn(NulTerminated(password), NulTerminated(System.Text.Encoding.Latin1.GetBytes(setting)), data, DataBytes);
            if (result == IntPtr.Zero)
            {
                return null;
            }

            string? hash = Marshal.PtrToStringAnsi(result);
            return hash is null || hash.StartsWith('*') ? null : hash;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
        finally
        {
            Marshal.FreeHGlobal(data);
        }
    }

    private static void ZeroFill(IntPtr data) => Marshal.Copy(new byte[DataBytes], 0, data, DataBytes);

    private static byte[] NulTerminated(byte[] bytes) => [.. bytes, 0];

    // DllImport, not LibraryImport: this project has no unsafe code (WsgiHost.Python alone does).
    [DllImport("libcrypt.so.1", EntryPoint = "crypt_rn")]
    private static extern IntPtr CryptRn(byte[] phrase, byte[] setting, IntPtr data, int size);
}
