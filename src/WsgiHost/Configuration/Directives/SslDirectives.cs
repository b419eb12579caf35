using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Configuration.Directives;

/// <summary>mod_ssl: TLS per virtual host, and SSLRequireSSL.</summary>
internal static class SslDirectives
{
    private const DirectiveScope SV = DirectiveScope.ServerAndVirtualHost;

    public static IEnumerable<DirectiveSpec> All() =>
    [
        new("SSLEngine", SV, 1, 1, "on|off|optional", SslEngine),
        new("SSLCertificateFile", SV, 1, 1, "file", (n, c) => c.Scope.CertificateFile = ExistingFile(n, c)),
        new("SSLCertificateKeyFile", SV, 1, 1, "file", (n, c) => c.Scope.KeyFile = ExistingFile(n, c)),
        new("SSLCertificateChainFile", SV, 1, 1, "file", (n, c) => c.Scope.ChainFile = ExistingFile(n, c)),
        new("SSLRequireSSL", DirectiveScope.Section, 0, 0, "", (n, c) => c.PerDir.Value = c.PerDir.Value with { SslRequireSsl = true }),
        new("SSLOptions", DirectiveScope.Anywhere, 1, -1, "[+|-]option ...", SslOptions),
        new("SSLProtocol", SV, 1, -1, "[+|-]protocol ...", SslProtocol),
        new("SSLCipherSuite", SV, 1, 2, "[SSL|TLSv1.3] cipher-spec", SslCipherSuite),
        new("SSLHonorCipherOrder", SV, 1, 1, "on|off", Tuning),
        new("SSLStrictSNIVHostCheck", SV, 1, 1, "on|off", (n, c) => c.Scope.StrictSni = c.Flag(n, n.Arguments[0])),
        new("SSLVerifyClient", DirectiveScope.Anywhere, 1, 1, "none|optional|require|optional_no_ca", SslVerifyClient),
        new("SSLVerifyDepth", SV, 1, 1, "number", (n, c) => c.Scope.VerifyDepth = (int?)c.Number(n, "depth", n.Arguments[0], 0, 100)),
        new("SSLCACertificateFile", SV, 1, 1, "file", (n, c) => { c.Scope.CaWritten = true; c.Scope.CaCertificateFile = ExistingFile(n, c); }),
        new("SSLCACertificatePath", SV, 1, 1, "folder", SslCaCertificatePath),
        new("SSLInsecureRenegotiation", SV, 1, 1, "on|off", Tuning),
        new("SSLSessionTickets", SV, 1, 1, "on|off", Tuning),
        new("SSLCompression", SV, 1, 1, "on|off", Tuning),
        new("SSLUseStapling", SV, 1, 1, "on|off", Tuning),
        new("SSLSessionCache", DirectiveScope.Server, 1, 1, "type", Tuning),
        new("SSLSessionCacheTimeout", SV, 1, 1, "seconds", Tuning),
        new("SSLStaplingCache", DirectiveScope.Server, 1, 1, "type", Tuning),
        new("SSLRandomSeed", DirectiveScope.Server, 2, 3, "context source [bytes]", Tuning),
        new("SSLPassPhraseDialog", DirectiveScope.Server, 1, 1, "type", Tuning),
        new("SSLOpenSSLConfCmd", SV, 2, 2, "command value", Tuning),
        new("Protocols", SV, 1, -1, "protocol ...", HttpProtocols),
    ];

    /// <summary>
    /// mod_http2's (core's) Protocols: h2 lets a TLS virtual host speak HTTP/2 (by ALPN), and its
    /// absence keeps it to HTTP/1.1. Without the directive WsgiHost offers h2 on TLS ports, where
    /// Apache would need the line. h2c (HTTP/2 on a plain port) is not served: a warning.
    /// </summary>
    private static void HttpProtocols(ConfigNode node, BuildContext context)
    {
        var protocols = new List<string>();
        foreach (string word in node.Arguments)
        {
            string protocol = word.ToLowerInvariant();
            if (protocol is not ("h2" or "h2c" or "http/1.1"))
            {
                context.Error(node, $"'{word}' is not a protocol", "Protocols h2 http/1.1");
                return;
            }
            if (protocol == "h2c")
            {
                context.Warning(node, "h2c (HTTP/2 without TLS) is not served; plain ports speak HTTP/1.1", "drop h2c, or put a proxy that speaks h2c in front");
            }
            protocols.Add(protocol);
        }
        if (!protocols.Contains("http/1.1") && !protocols.Contains("h2"))
        {
            context.Error(node, "leaves no protocol WsgiHost serves", "Protocols h2 http/1.1");
            return;
        }
        context.Scope.Protocols = protocols;
    }

    private static void SslEngine(ConfigNode node, BuildContext context)
    {
        string value = node.Arguments[0].ToLowerInvariant();
        if (value is not ("on" or "off"))
        {
            context.Error(node, $"'{node.Arguments[0]}' is not supported", "SSLEngine on or SSLEngine off");
            return;
        }
        if (!context.Scope.IsVirtualHost && value == "on")
        {
            context.Error(node, "TLS is set per virtual host", "put SSLEngine on inside the <VirtualHost *:443> block");
            return;
        }
        context.Scope.SslEngine = value == "on";
        context.Scope.SslEngineNode = node;
    }

    /// <summary>
    /// SSLVerifyClient for a virtual host (or the main server, which its virtual hosts take).
    /// Inside &lt;Location&gt; or &lt;Directory&gt; mod_ssl renegotiates the connection to ask for
    /// the certificate there; WsgiHost never renegotiates, so it is an error with the way to
    /// write the same rule: ask in the handshake, require in the section.
    /// </summary>
    private static void SslVerifyClient(ConfigNode node, BuildContext context)
    {
        if (context.Where == DirectiveScope.Section && node.Arguments[0].Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            // Asks for nothing more than the handshake did: nothing to renegotiate (Apache runs it).
            context.Note(node, "SSLVerifyClient none in a section has no effect: the virtual host's handshake already settled the client certificate");
            return;
        }
        if (context.Where == DirectiveScope.Section)
        {
            context.Error(node, "asking for a client certificate for some URLs only needs a TLS renegotiation, which WsgiHost does not do",
                "put SSLVerifyClient optional in the <VirtualHost> and Require ssl-verify-client in this section (or SSLVerifyClient require in the <VirtualHost>)");
            return;
        }
        if (context.Keyword(node, "none", "optional", "require", "optional_no_ca") is int mode)
        {
            context.Scope.VerifyClient = (Model.ClientVerifyMode)mode;
        }
    }

    private static void SslCaCertificatePath(ConfigNode node, BuildContext context)
    {
        context.Scope.CaWritten = true;
        string path = context.ResolvePath(node.Arguments[0]);
        if (!Directory.Exists(path))
        {
            context.Error(node, $"folder '{path}' does not exist", "give a folder of PEM CA certificates the server can read");
            return;
        }
        context.Scope.CaCertificatePath = path;
    }

    private static string? ExistingFile(ConfigNode node, BuildContext context)
    {
        string path = context.ResolvePath(node.Arguments[0]);
        if (!File.Exists(path))
        {
            context.Error(node, $"file '{path}' does not exist", "give the path of a PEM file the server can read");
            return null;
        }
        return path;
    }

    private static void SslOptions(ConfigNode node, BuildContext context)
    {
        foreach (string option in node.Arguments)
        {
            string name = option.TrimStart('+', '-');
            if (name.Equals("StdEnvVars", StringComparison.OrdinalIgnoreCase))
            {
                context.PerDir.Value = context.PerDir.Value with { SslStdEnvVars = !option.StartsWith('-') };
                continue;
            }
            if (!name.Equals("ExportCertData", StringComparison.OrdinalIgnoreCase)
                && !name.Equals("StrictRequire", StringComparison.OrdinalIgnoreCase) && !name.Equals("OptRenegotiate", StringComparison.OrdinalIgnoreCase)
                && !name.Equals("FakeBasicAuth", StringComparison.OrdinalIgnoreCase) && !name.Equals("LegacyDNStringFormat", StringComparison.OrdinalIgnoreCase))
            {
                context.Error(node, $"unknown option '{option}'", "StdEnvVars, ExportCertData, StrictRequire, OptRenegotiate");
                return;
            }
            if (name.Equals("ExportCertData", StringComparison.OrdinalIgnoreCase))
            {
                context.PerDir.Value = context.PerDir.Value with { SslExportCertData = !option.StartsWith('-') };
                continue;
            }
            context.Note(node, $"{name} has no effect in WsgiHost");
        }
    }

    /// <summary>
    /// mod_ssl's tuning directives, each taken with what WsgiHost does instead: .NET's TLS over
    /// the system's OpenSSL chooses ciphers, caches sessions and seeds itself.
    /// </summary>
    private static void Tuning(ConfigNode node, BuildContext context) =>
        context.Note(node, "accepted; " + node.Name.ToLowerInvariant() switch
        {
            "sslhonorcipherorder" => "the order of the ciphers is OpenSSL's as .NET sets it up",
            "sslsessiontickets" or "sslsessioncache" or "sslsessioncachetimeout" => "TLS sessions are resumed as .NET and OpenSSL do by default",
            "sslcompression" => "TLS compression is never used",
            "sslinsecurerenegotiation" => "the server never renegotiates, securely or not",
            "sslusestapling" or "sslstaplingcache" => "OCSP stapling is not done; clients check revocation themselves",
            "sslrandomseed" => "OpenSSL seeds itself from the operating system",
            _ => "certificate keys must be unencrypted PEM files: no pass phrase is asked for",
        });

    /// <summary>
    /// SSLCipherSuite [SSL|TLSv1.3] spec, as mod_ssl hands it to OpenSSL: the string is expanded
    /// by OpenSSL itself (<see cref="Server.OpenSslCiphers"/>), for TLS 1.2 (SSL, the default) or
    /// for TLS 1.3, and the handshakes offer only what it selects. A string that selects nothing
    /// is an error, as Apache refuses to start on it.
    /// </summary>
    private static void SslCipherSuite(ConfigNode node, BuildContext context)
    {
        string protocol = node.Arguments.Count == 2 ? node.Arguments[0] : "SSL";
        bool tls13 = protocol.Equals("TLSv1.3", StringComparison.OrdinalIgnoreCase);
        if (!tls13 && !protocol.Equals("SSL", StringComparison.OrdinalIgnoreCase))
        {
            context.Error(node, $"unknown protocol '{protocol}'", "SSLCipherSuite cipher-spec (TLS 1.2), or SSLCipherSuite TLSv1.3 suites");
            return;
        }
        string spec = node.Arguments[^1];
        if (Server.OpenSslCiphers.Expand(spec, tls13, out string? error) is not { } suites)
        {
            context.Error(node, error!, tls13 ? "SSLCipherSuite TLSv1.3 TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256" : "SSLCipherSuite HIGH:!aNULL:!MD5");
            return;
        }
        if (tls13)
        {
            context.Scope.CipherSuites13 = suites;
        }
        else
        {
            context.Scope.CipherSuites12 = suites;
        }
    }

    /// <summary>
    /// SSLProtocol as mod_ssl reads it: from no protocol, a word adds its protocol (with + too),
    /// -word removes it, all is every one. Only TLS 1.2 and 1.3 are served: OpenSSL 3 at its
    /// default security level refuses the older ones, whatever a server asks for.
    /// </summary>
    private static void SslProtocol(ConfigNode node, BuildContext context)
    {
        var chosen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (string word in node.Arguments)
        {
            bool remove = word.StartsWith('-');
            string name = word.TrimStart('+', '-');
            if (name.Equals("SSLv2", StringComparison.OrdinalIgnoreCase))
            {
                // As mod_ssl: -SSLv2 (certbot's options-ssl-apache.conf has it) is taken and
                // means nothing, SSLv2 itself is no longer supported.
                if (remove)
                {
                    continue;
                }
                context.Error(node, "SSLv2 is no longer supported", "SSLProtocol all -SSLv3 -TLSv1 -TLSv1.1");
                return;
            }
            string[] protocols = name.Equals("all", StringComparison.OrdinalIgnoreCase) ? [.. Protocols]
                : Protocols.FirstOrDefault(p => p.Equals(name, StringComparison.OrdinalIgnoreCase)) is string known ? [known]
                : [];
            if (protocols.Length == 0)
            {
                context.Error(node, $"unknown protocol '{name}'", "all, SSLv3, TLSv1, TLSv1.1, TLSv1.2, TLSv1.3, each with + or -");
                return;
            }
            foreach (string protocol in protocols)
            {
                if (remove)
                {
                    chosen.Remove(protocol);
                }
                else
                {
                    chosen.Add(protocol);
                }
            }
        }
        System.Security.Authentication.SslProtocols served = System.Security.Authentication.SslProtocols.None;
        if (chosen.Contains("TLSv1.2"))
        {
            served |= System.Security.Authentication.SslProtocols.Tls12;
        }
        if (chosen.Contains("TLSv1.3"))
        {
            served |= System.Security.Authentication.SslProtocols.Tls13;
        }
        if (served == System.Security.Authentication.SslProtocols.None)
        {
            context.Error(node, "no protocol that WsgiHost serves: it serves TLSv1.2 and TLSv1.3 (OpenSSL refuses the older ones at its default security level)", "SSLProtocol -all +TLSv1.2 +TLSv1.3");
            return;
        }
        string[] older = [.. Protocols.Where(p => chosen.Contains(p) && p is not ("TLSv1.2" or "TLSv1.3"))];
        if (older.Length > 0)
        {
            context.Note(node, $"{string.Join(", ", older)} not served (OpenSSL refuses them at its default security level); TLSv1.2 and TLSv1.3 as chosen");
        }
        context.Scope.SslProtocols = served;
    }

    /// <summary>What mod_ssl's "all" stands for, oldest first.</summary>
    private static readonly string[] Protocols = ["SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];
}
