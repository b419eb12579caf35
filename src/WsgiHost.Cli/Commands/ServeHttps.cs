using System.Net;
using System.Text.RegularExpressions;
using WsgiHost.Configuration.Model;
using WsgiHost.Configuration.Syntax;
using WsgiHost.Metadata;
using WsgiHost.Routing;

namespace WsgiHost.Cli.Commands;

/// <summary>
/// serve's HTTPS, with mod_wsgi-express's options: <c>--https-port</c> and the certificate
/// (<c>--ssl-certificate-file</c> and <c>--ssl-certificate-key-file</c>, or
/// <c>--ssl-certificate BASE</c> for BASE.crt and BASE.key), <c>--https-only</c> (the plain
/// port redirects there) and <c>--hsts-policy</c>. As express writes it: a
/// &lt;VirtualHost *:HTTPS_PORT&gt; with SSLEngine on that serves what the plain port serves.
/// </summary>
internal sealed class ServeHttps
{
    private int? _port;
    private string? _certificate, _key, _base, _hsts;
    private bool _httpsOnly;
    private string? _firstOption;

    /// <summary>Whether <paramref name="flag"/> is one of these options, and if it takes a value.</summary>
    public static bool IsOption(string flag, out bool takesValue)
    {
        takesValue = flag != "--https-only";
        return flag is "--https-port" or "--ssl-certificate-file" or "--ssl-certificate-key-file" or "--ssl-certificate" or "--https-only" or "--hsts-policy";
    }

    /// <summary>Takes one option (<paramref name="value"/> null for --https-only).</summary>
    /// <exception cref="UsageException">A value the option does not take.</exception>
    public void Add(string flag, string? value)
    {
        _firstOption ??= flag;
        switch (flag)
        {
            case "--https-port": _port = ServeOptionsParser.Int(flag, value!, 1, 65535); break;
            case "--ssl-certificate-file": _certificate = Path.GetFullPath(value!); break;
            case "--ssl-certificate-key-file": _key = Path.GetFullPath(value!); break;
            case "--ssl-certificate": _base = Path.GetFullPath(value!); break;
            case "--https-only": _httpsOnly = true; break;
            case "--hsts-policy": _hsts = value; break;
        }
    }

    /// <summary>
    /// The site with HTTPS added, or as it is when no option was given.
    /// </summary>
    /// <exception cref="UsageException">The options do not make an HTTPS port: one is missing, a file does not exist, the ports clash.</exception>
    public SiteConfig Apply(SiteConfig site, IPAddress address, int plainPort, SourceLocation generated)
    {
        if (_firstOption == null)
        {
            return site;
        }
        if (_port is not int port)
        {
            throw new UsageException($"{_firstOption} needs --https-port N, the port to serve HTTPS on (as mod_wsgi-express 6 requires)");
        }
        if (port == plainPort)
        {
            throw new UsageException($"--https-port {port} is the port HTTP is served on already; give another (--port sets HTTP's)");
        }
        if (_base != null && (_certificate ?? _key) != null)
        {
            throw new UsageException("give --ssl-certificate BASE (for BASE.crt and BASE.key) or --ssl-certificate-file and --ssl-certificate-key-file, not both");
        }
        string? certificate = _base != null ? _base + ".crt" : _certificate;
        string? key = _base != null ? _base + ".key" : _key;
        if (certificate == null || key == null)
        {
            throw new UsageException($"--https-port needs the certificate: --ssl-certificate-file FILE and --ssl-certificate-key-file FILE (PEM), or --ssl-certificate BASE for BASE.crt and BASE.key");
        }
        foreach (string file in new[] { certificate, key })
        {
            if (!File.Exists(file))
            {
                throw new UsageException($"'{file}' does not exist (the certificate and its key are PEM files)");
            }
        }
        ServerScope plain = site.MainServer;
        ServerScope tls = plain with
        {
            IsVirtualHost = true,
            Addresses = [new IPEndPointPattern(address, port)],
            Tls = new TlsConfig(certificate, key, null, generated),
            Defaults = _hsts == null ? plain.Defaults : plain.Defaults with { ResponseHeaderEdits = [.. plain.Defaults.ResponseHeaderEdits, Hsts(_hsts, generated)] },
        };
        if (_httpsOnly)
        {
            plain = plain with { RewriteRules = [RedirectTo(port, generated)] };
        }
        return site with
        {
            Listeners = [.. site.Listeners, new ListenAddress(address, port, generated)],
            MainServer = plain,
            VirtualHosts = [.. site.VirtualHosts, tls],
        };
    }

    /// <summary>--https-only: every request on the plain port is sent to the same URL on the HTTPS port (301), the host as the client named it.</summary>
    private static RewriteRuleConfig RedirectTo(int port, SourceLocation generated)
    {
        string target = $"https://%{{SERVER_NAME}}{(port == 443 ? "" : $":{port}")}%{{REQUEST_URI}}";
        RewriteTemplate template = RewriteTemplate.Parse(target, out string? problem) ?? throw new InvalidOperationException(problem);
        return new RewriteRuleConfig(new Regex("^"), Negated: false, template, RewriteAction.Redirect, Status: 301,
            QueryAppend: false, QueryDiscard: false, NoEscape: true, Last: true, Conditions: [], generated);
    }

    /// <summary>--hsts-policy: Strict-Transport-Security on every HTTPS response, errors too (Header always set).</summary>
    private static HeaderEdit Hsts(string policy, SourceLocation generated)
    {
        HeaderValueFormat value = HeaderValueFormat.Parse(policy, out string? problem)
            ?? throw new UsageException($"--hsts-policy '{policy}' cannot be read: {problem}");
        return new HeaderEdit(HeaderAction.Set, "Strict-Transport-Security", value, Pattern: null, Replacement: null, Condition: null, Always: true, Early: false, generated);
    }
}
