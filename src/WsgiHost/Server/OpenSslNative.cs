using System.Runtime.InteropServices;

namespace WsgiHost.Server;

/// <summary>
/// The few OpenSSL 3 calls WsgiHost makes itself, on the same libssl .NET's TLS runs on: to expand
/// SSLCipherSuite strings (<see cref="OpenSslCiphers"/>) and to name a connection's cipher as
/// mod_ssl does (<see cref="OpenSslCipherNames"/>). Callers catch DllNotFoundException and
/// EntryPointNotFoundException where OpenSSL 3 is missing.
/// </summary>
internal static class OpenSslNative
{
    public const string Ssl = "libssl.so.3";
    public const string Crypto = "libcrypto.so.3";

    // DllImport, not LibraryImport: this project has no unsafe code (WsgiHost.Python alone does).
    [DllImport(Ssl)]
    public static extern IntPtr TLS_server_method();

    [DllImport(Ssl)]
    public static extern IntPtr SSL_CTX_new(IntPtr method);

    [DllImport(Ssl)]
    public static extern void SSL_CTX_free(IntPtr context);

    [DllImport(Ssl)]
    public static extern int SSL_CTX_set_cipher_list(IntPtr context, [MarshalAs(UnmanagedType.LPStr)] string spec);

    [DllImport(Ssl)]
    public static extern int SSL_CTX_set_ciphersuites(IntPtr context, [MarshalAs(UnmanagedType.LPStr)] string spec);

    [DllImport(Ssl)]
    public static extern IntPtr SSL_CTX_get_ciphers(IntPtr context);

    [DllImport(Ssl)]
    public static extern IntPtr SSL_CIPHER_standard_name(IntPtr cipher);

    [DllImport(Ssl)]
    public static extern IntPtr SSL_CIPHER_get_name(IntPtr cipher);

    [DllImport(Ssl)]
    public static extern int SSL_CIPHER_get_bits(IntPtr cipher, out int algorithmBits);

    [DllImport(Crypto)]
    public static extern int OPENSSL_sk_num(IntPtr stack);

    [DllImport(Crypto)]
    public static extern IntPtr OPENSSL_sk_value(IntPtr stack, int index);

    [DllImport(Crypto)]
    public static extern IntPtr OpenSSL_version(int type);
}
