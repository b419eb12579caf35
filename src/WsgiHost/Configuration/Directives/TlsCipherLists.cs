using System.Net.Security;

namespace WsgiHost.Configuration.Directives;

/// <summary>
/// One list for .NET's CipherSuitesPolicy from SSLCipherSuite's two: a server that names only
/// its TLS 1.2 ciphers (the usual line) keeps OpenSSL's default TLS 1.3 suites, as mod_ssl
/// leaves them, and the other way round; null when neither is written (OpenSSL's defaults).
/// </summary>
internal static class TlsCipherLists
{
    /// <summary>OpenSSL's default TLS 1.3 suites (TLS_DEFAULT_CIPHERSUITES).</summary>
    private const string DefaultTls13 = "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256";

    // Expanded once: every virtual host built with an SSLCipherSuite line takes them.
    private static readonly Lazy<IReadOnlyList<TlsCipherSuite>> s_default12 = new(() => Server.OpenSslCiphers.Expand("DEFAULT", tls13: false, out _) ?? []);
    private static readonly Lazy<IReadOnlyList<TlsCipherSuite>> s_default13 = new(() => Server.OpenSslCiphers.Expand(DefaultTls13, tls13: true, out _) ?? []);

    public static IReadOnlyList<TlsCipherSuite>? Combine(IReadOnlyList<TlsCipherSuite>? tls12, IReadOnlyList<TlsCipherSuite>? tls13) =>
        tls12 == null && tls13 == null ? null : [.. tls13 ?? s_default13.Value, .. tls12 ?? s_default12.Value];
}
