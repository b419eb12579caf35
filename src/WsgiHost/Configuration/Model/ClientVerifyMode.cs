namespace WsgiHost.Configuration.Model;

/// <summary>SSLVerifyClient: whether the handshake asks for a client certificate, and what a missing or unverifiable one does.</summary>
internal enum ClientVerifyMode
{
    /// <summary>No certificate is asked for (mod_ssl's default).</summary>
    None,

    /// <summary>Asked for; a client may send none, but one it sends must verify against SSLCACertificateFile/Path.</summary>
    Optional,

    /// <summary>A certificate that verifies is required: the handshake fails without one.</summary>
    Require,

    /// <summary>Asked for and never required to verify: the app decides from SSL_CLIENT_VERIFY (SUCCESS, GENEROUS or NONE).</summary>
    OptionalNoCa,
}
