using System.Net.Security;
using System.Runtime.InteropServices;
using static WsgiHost.Server.OpenSslNative;

namespace WsgiHost.Server;

/// <summary>
/// SSLCipherSuite's cipher strings ("HIGH:!aNULL:!MD5", "ECDHE+AESGCM") expanded by the same
/// OpenSSL that .NET's TLS runs on, as mod_ssl hands them to it: the TLS 1.2 list through
/// SSL_CTX_set_cipher_list, the TLS 1.3 one through SSL_CTX_set_ciphersuites. The result is the
/// suites by IANA name, for .NET's CipherSuitesPolicy.
/// </summary>
internal static class OpenSslCiphers
{
    /// <summary>OpenSSL's TLS 1.3 suites: what SSL_CTX_get_ciphers lists ahead of the TLS 1.2 ones.</summary>
    private static readonly HashSet<string> Tls13Names = new(StringComparer.Ordinal)
    {
        "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_8_SHA256",
    };

    /// <summary>
    /// The suites <paramref name="spec"/> selects for TLS 1.3 (<paramref name="tls13"/>) or for
    /// TLS 1.2, in OpenSSL's order; null with <paramref name="error"/> when OpenSSL refuses the
    /// string, selects nothing, or cannot be reached.
    /// </summary>
    public static IReadOnlyList<TlsCipherSuite>? Expand(string spec, bool tls13, out string? error)
    {
        try
        {
            return ExpandWithOpenSsl(spec, tls13, out error);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            error = $"OpenSSL 3 ({OpenSslNative.Ssl}) could not be loaded to read the cipher string: {e.Message}";
            return null;
        }
    }

    private static IReadOnlyList<TlsCipherSuite>? ExpandWithOpenSsl(string spec, bool tls13, out string? error)
    {
        IntPtr context = SSL_CTX_new(TLS_server_method());
        if (context == IntPtr.Zero)
        {
            error = "OpenSSL could not make a TLS context";
            return null;
        }
        try
        {
            if ((tls13 ? SSL_CTX_set_ciphersuites(context, spec) : SSL_CTX_set_cipher_list(context, spec)) != 1)
            {
                error = $"OpenSSL selects no {(tls13 ? "TLS 1.3" : "TLS 1.2")} cipher with '{spec}'";
                return null;
            }
            IntPtr stack = SSL_CTX_get_ciphers(context);
            var suites = new List<TlsCipherSuite>();
            int count = stack == IntPtr.Zero ? 0 : OPENSSL_sk_num(stack);
            for (int i = 0; i < count; i++)
            {
                string? name = Marshal.PtrToStringAnsi(SSL_CIPHER_standard_name(OPENSSL_sk_value(stack, i)));
                // The context lists both: keep the half this string was for.
                if (name != null && Tls13Names.Contains(name) == tls13 && Enum.TryParse(name, out TlsCipherSuite suite))
                {
                    suites.Add(suite);
                }
            }
            if (suites.Count == 0)
            {
                error = $"OpenSSL selects no {(tls13 ? "TLS 1.3" : "TLS 1.2")} cipher with '{spec}'";
                return null;
            }
            error = null;
            return suites;
        }
        finally
        {
            SSL_CTX_free(context);
        }
    }
}
