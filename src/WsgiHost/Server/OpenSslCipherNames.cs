using System.Runtime.InteropServices;
using static WsgiHost.Server.OpenSslNative;

namespace WsgiHost.Server;

/// <summary>
/// What mod_ssl says of a connection's cipher, asked of the OpenSSL .NET's TLS runs on: its
/// OpenSSL name (SSL_CIPHER: ECDHE-RSA-AES256-GCM-SHA384 over TLS 1.2, where .NET names the IANA
/// suite TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384; TLS 1.3's names are the same in both), its key
/// sizes (SSL_CIPHER_USEKEYSIZE, SSL_CIPHER_ALGKEYSIZE) and the library (SSL_VERSION_LIBRARY).
/// Read once, for every suite OpenSSL knows; empty where OpenSSL 3 cannot be loaded.
/// </summary>
internal static class OpenSslCipherNames
{
    private static readonly Lazy<Dictionary<string, (string Name, int UseBits, int AlgBits)>> s_suites = new(Read);

    private static readonly Lazy<string?> s_library = new(() =>
    {
        try
        {
            // OPENSSL_VERSION_STRING: "3.0.19"; mod_ssl writes "OpenSSL/3.0.19".
            return Marshal.PtrToStringAnsi(OpenSSL_version(6)) is { Length: > 0 } version ? "OpenSSL/" + version : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    });

    /// <summary>The suite by its IANA name (as .NET reports it), in OpenSSL's words; null when OpenSSL does not know it.</summary>
    public static (string Name, int UseBits, int AlgBits)? Of(string ianaName) =>
        s_suites.Value.TryGetValue(ianaName, out var suite) ? suite : null;

    /// <summary>SSL_VERSION_LIBRARY: "OpenSSL/3.0.19"; null where OpenSSL cannot be asked.</summary>
    public static string? Library => s_library.Value;

    private static Dictionary<string, (string Name, int UseBits, int AlgBits)> Read()
    {
        var suites = new Dictionary<string, (string, int, int)>(StringComparer.Ordinal);
        try
        {
            IntPtr context = SSL_CTX_new(TLS_server_method());
            if (context == IntPtr.Zero)
            {
                return suites;
            }
            try
            {
                // Every suite, not only those enabled by default, so any a handshake chose is named.
                _ = SSL_CTX_set_cipher_list(context, "ALL:COMPLEMENTOFALL:@SECLEVEL=0");
                IntPtr stack = SSL_CTX_get_ciphers(context);
                int count = stack == IntPtr.Zero ? 0 : OPENSSL_sk_num(stack);
                for (int i = 0; i < count; i++)
                {
                    IntPtr cipher = OPENSSL_sk_value(stack, i);
                    if (Marshal.PtrToStringAnsi(SSL_CIPHER_standard_name(cipher)) is string iana && Marshal.PtrToStringAnsi(SSL_CIPHER_get_name(cipher)) is string name)
                    {
                        int use = SSL_CIPHER_get_bits(cipher, out int algorithm);
                        suites[iana] = (name, use, algorithm);
                    }
                }
            }
            finally
            {
                SSL_CTX_free(context);
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // .NET's own names and no sizes, then.
        }
        return suites;
    }
}
