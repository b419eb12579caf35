using System.Net.Security;
using WsgiHost.Configuration.Model;
using WsgiHost.Routing;

namespace WsgiHost.Server;

/// <summary>
/// The virtual hosts with SSLEngine on that one Listen address serves, with their certificates
/// loaded: the handshake picks one by SNI (ServerName or ServerAlias), else the first, as
/// mod_ssl does. SIGHUP loads them again from the re-read configuration (<see cref="Reload"/>),
/// so a renewed certificate (certbot writes new files and reloads) is served from then on, as
/// after Apache's graceful restart; connections already open keep the one they shook hands with.
/// </summary>
internal sealed class TlsVirtualHosts
{
    private volatile Entry[] _entries;

    private TlsVirtualHosts(ListenAddress listen, Entry[] entries, bool http2)
    {
        Listen = listen;
        _entries = entries;
        SpeaksHttp2 = http2;
    }

    public ListenAddress Listen { get; }

    /// <summary>ALPN is settled per port before a virtual host is chosen: h2 if one of the port's TLS hosts speaks it. Fixed at start.</summary>
    public bool SpeaksHttp2 { get; }

    /// <summary>The TLS virtual hosts of <paramref name="listen"/> with their certificates, or null when none covers it (plain HTTP).</summary>
    /// <exception cref="InvalidOperationException">A certificate that cannot be loaded (<see cref="TlsCertificate.Load"/>).</exception>
    public static TlsVirtualHosts? Load(SiteConfig site, ListenAddress listen)
    {
        List<ServerScope> hosts = Covering(site, listen);
        return hosts.Count == 0 ? null : new TlsVirtualHosts(listen, LoadAll(site, hosts), hosts.Any(v => v.SpeaksHttp2));
    }

    /// <summary>
    /// Loads the certificates of <paramref name="next"/>'s TLS virtual hosts on this address and
    /// serves them to new connections; on a failure keeps serving the ones loaded before. The
    /// caller checks first that <paramref name="next"/> has TLS hosts here (<see cref="HasAny"/>).
    /// </summary>
    /// <returns>Null when applied, else why not.</returns>
    public string? Reload(SiteConfig next)
    {
        try
        {
            _entries = LoadAll(next, Covering(next, Listen));
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            return e.Message;
        }
    }

    /// <summary>The virtual host the client named (SNI), else the first: its certificate, and what the requests on the connection are checked against.</summary>
    public (SslStreamCertificateContext Certificate, TlsHandshake Handshake) Select(string? sniName)
    {
        Entry[] entries = _entries;
        string? sni = string.IsNullOrEmpty(sniName) ? null : sniName;
        Entry chosen = entries[0];
        if (sni != null)
        {
            foreach (Entry entry in entries)
            {
                if (entry.Names.Any(n => n.Matches(sni)))
                {
                    chosen = entry;
                    break;
                }
            }
        }
        return (chosen.Certificate, new TlsHandshake(sni, chosen.Tls, chosen.Name)
        {
            CipherSuites = chosen.CipherSuites,
            ServerCertificate = chosen.Certificate.TargetCertificate,
            ClientCertificates = chosen.ClientCertificates,
        });
    }

    /// <summary>Whether a virtual host with SSLEngine on covers <paramref name="listen"/> in <paramref name="site"/>.</summary>
    public static bool HasAny(SiteConfig site, ListenAddress listen) => Covering(site, listen).Count > 0;

    private static List<ServerScope> Covering(SiteConfig site, ListenAddress listen) =>
        [.. site.VirtualHosts.Where(v => v.Tls != null && listen.Reaches(v))];

    private static Entry[] LoadAll(SiteConfig site, List<ServerScope> hosts) =>
        [.. hosts.Select(v => new Entry(
            HostPattern.Of(v.ServerName, v.ServerAliases),
            TlsCertificate.Load(v.Tls!),
            v.Tls!,
            v.ServerName ?? site.MainServer.ServerName ?? v.Tls!.Location.ToString(),
            Policy(v.Tls!),
            v.Tls!.ClientCertificates is { } clients ? ClientCertificateVerifier.Load(v.Tls!, clients) : null))];

    // .NET takes a cipher list on Linux and macOS; this server runs on Linux.
    private static CipherSuitesPolicy? Policy(TlsConfig tls) =>
        tls.CipherSuites == null || OperatingSystem.IsWindows() ? null : new CipherSuitesPolicy(tls.CipherSuites);

    /// <param name="CipherSuites">SSLCipherSuite's suites, made once; null: OpenSSL's defaults.</param>
    /// <param name="ClientCertificates">SSLVerifyClient with its CA certificates loaded; null: none asked for.</param>
    private sealed record Entry(HostPattern[] Names, SslStreamCertificateContext Certificate, TlsConfig Tls, string Name, CipherSuitesPolicy? CipherSuites, ClientCertificateVerifier? ClientCertificates);
}
