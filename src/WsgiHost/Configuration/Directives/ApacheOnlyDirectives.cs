using WsgiHost.Access;
using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Configuration.Directives;

/// <summary>
/// Directives that tune Apache itself (accepted with a note, so a whole httpd.conf reads), and
/// directives WsgiHost knows but does not implement: those change routing, access or
/// responses, so they are errors rather than silently ignored.
/// </summary>
internal static class ApacheOnlyDirectives
{
    private static readonly string[] Tuning =
    [
        "LoadModule", "Mutex", "ServerAdmin", "ServerSignature", "ServerTokens",
        "HostnameLookups", "UseCanonicalPhysicalPort", "DefaultRuntimeDir", "ScoreBoardFile", "StartServers",
        "MinSpareServers", "MaxSpareServers", "ServerLimit", "MaxRequestWorkers", "MaxClients", "MaxConnectionsPerChild",
        "MaxRequestsPerChild", "ThreadLimit", "MinSpareThreads", "MaxSpareThreads", "ThreadStackSize", "ListenBacklog",
        "EnableSendfile", "EnableMMAP", "ExtendedStatus",
        "TypesConfig", "AcceptFilter", "AsyncRequestWorkerFactor",
        "HttpProtocolOptions", "ContentDigest", "CoreDumpDirectory",
        "MaxMemFree", "RLimitCPU", "RLimitMEM", "RLimitNPROC", "ServerPath", "LogLevelOverride", "BufferedLogs",
        "WSGISocketPrefix", "WSGISocketRotation", "WSGIAcceptMutex", "WSGILazyInitialization", "WSGIPythonEggs",
        "WSGIPythonHashSeed", "WSGIPythonWarnings", "WSGIDontWriteBytecode", "WSGIDestroyInterpreter",
        "WSGIRestrictStdin", "WSGIRestrictStdout", "WSGICaseSensitivity", "WSGIVerboseDebugging",
        "WSGIEnableSendfile", "WSGIIgnoreActivity", "WSGIServerMetrics", "WSGISwitchInterval", "WSGIPerInterpreterGIL",
        "WSGIFreeThreading", "WSGIPassApacheRequest",
        "DefaultType", "AccessFileName",
        // Only mod_dav reads XML bodies; socket buffer sizes are the kernel's defaults here.
        "LimitXMLRequestBody", "SendBufferSize", "ReceiveBufferSize",
    ];

    /// <summary>
    /// Known and not implemented, but they only shape a feature WsgiHost does not have, whose
    /// switch is reported where it is turned on (Options Indexes, MultiViews): accepted with a
    /// note saying so, as Debian's stock mods-enabled/*.conf carries them.
    /// </summary>
    private static readonly (string[] Names, string Note)[] Shaping =
    [
        (["IndexOptions", "IndexIgnore", "IndexIgnoreReset", "IndexOrderDefault", "IndexStyleSheet", "IndexHeadInsert", "HeaderName",
          "ReadmeName", "AddIcon", "AddIconByType", "AddIconByEncoding", "AddAlt", "AddAltByType", "AddAltByEncoding", "AddDescription", "DefaultIcon"],
         "shapes mod_autoindex's folder listings, which WsgiHost does not make (a folder URL without an index file is 404); accepted and unused"),
        (["LanguagePriority", "ForceLanguagePriority", "CacheNegotiatedDocs", "MultiviewsMatch"],
         "orders mod_negotiation's choices (MultiViews, type maps), which WsgiHost does not make; accepted and unused"),
        (["ScriptSock", "CGIDScriptTimeout"],
         "sets up mod_cgid's CGI daemon, whose programs WsgiHost does not run (ScriptAlias is an error); accepted and unused"),
    ];

    /// <summary>Known and not implemented, and what they change shows: accepted with a warning saying what is written instead.</summary>
    private static readonly (string Name, string Warning, string Fix)[] Ignored =
    [
        ("ErrorLogFormat", "the error log keeps Apache's default format ([time] [module:level] [pid N] [client ip:port] message); this format is not applied",
         "remove the line, or have log parsers read the default format"),
        ("H2Direct", "HTTP/2 without TLS (h2c, prior knowledge) is not served, so this is not applied: plain ports speak HTTP/1.1, and HTTP/2 is offered on TLS ports by ALPN",
         "remove the line, or put a proxy that speaks h2c in front"),
    ];

    /// <summary>Known, not implemented, and meaningful for routing, access or responses.</summary>
    private static readonly (string Name, string Fix)[] Unsupported =
    [
        ("RewriteBase", "per-directory rewriting is not supported; write the rule in the server or <VirtualHost> with the full URL path"),
        ("RewriteMap", "rewrite maps are not supported; write one RewriteRule per case, or redirect in the app"),
        ("ProxyPass", "WsgiHost is not a reverse proxy; put the proxy in front of it"),
        ("ProxyPassReverse", "WsgiHost is not a reverse proxy; put the proxy in front of it"),
        ("ProxyPreserveHost", "WsgiHost is not a reverse proxy"),
        ("UserDir", "per-user folders are not served by name; map them with AliasMatch ^/~([a-z_][a-z0-9_-]*)(/.*)?$ /home/$1/public_html$2 and a <Directory /home/*/public_html> that grants access"),
        ("SetEnvIfExpr", "test one attribute with SetEnvIf attribute regex var=value (ap_expr expressions are not supported)"),
        ("SSLRequire", "mod_ssl's deprecated SSLRequire expressions are not supported: write the rule with Require ip, Require host or Require env (and SSLRequireSSL where it only asks for HTTPS); left out, the rule would not be applied"),
        ("XSendFileAllowAbove", "mod_xsendfile 1.0 removed it (it let an app send any file on the machine): name the folders the app may send files from with XSendFilePath"),
        ("WSGIHandlerScript", "map the script with WSGIScriptAlias"),
        ("WSGIDispatchScript", "choose groups with WSGIProcessGroup/WSGIApplicationGroup, or %{ENV:VAR} with SetEnv"),
    ];

    public static IEnumerable<DirectiveSpec> All() =>
    [
        .. Tuning.Select(name => new DirectiveSpec(name, DirectiveScope.Anywhere, 0, -1, "...",
            (n, c) => c.Note(n, "tunes Apache itself; WsgiHost accepts it and does not use it"))),
        .. Shaping.SelectMany(s => s.Names.Select(name => new DirectiveSpec(name, DirectiveScope.Anywhere, 0, -1, "...",
            (n, c) => c.Note(n, s.Note)))),
        .. Ignored.Select(i => new DirectiveSpec(i.Name, DirectiveScope.Anywhere, 0, -1, "...",
            (n, c) => c.Warning(n, i.Warning, i.Fix))),
        // mod_wsgi's default (On) is what WsgiHost always does; Off is not applied, and says so (QA: it was noted as Apache tuning).
        new DirectiveSpec("WSGIRestrictSignal", DirectiveScope.Anywhere, 1, 1, "On|Off", static (n, c) =>
        {
            if (c.Flag(n, n.Arguments[0]) == false)
            {
                c.Warning(n, "Off is not applied: an application's signal.signal() is still ignored with a warning, as under WSGIRestrictSignal On (the server's own SIGTERM, SIGHUP and SIGUSR1 handling must stay in charge)",
                    "remove the line; a process the application forks (os.fork, multiprocessing) gets its signals back and may register handlers there");
            }
        }),
        .. Unsupported.Where(u => !AccessRulesParser.IsAccessDirective(u.Name)).Select(u => new DirectiveSpec(u.Name, DirectiveScope.Anywhere, 0, -1, "...",
            (n, c) => c.Error(n, "is not supported by WsgiHost", u.Fix))),
        // Read by the access-rules parser with the rest of their section (which refuses the kinds of
        // authentication not supported); here only their place is checked, so Require in <VirtualHost> is an error.
        .. new[] { "Require", "Order", "Allow", "Deny", "Satisfy", "AuthMerging", "AuthType", "AuthName", "AuthUserFile", "AuthGroupFile", "AuthBasicProvider", "AuthBasicAuthoritative", "WSGIAuthUserScript", "WSGIAuthGroupScript", "WSGIAccessScript" }
            .Concat(Unsupported.Select(u => u.Name).Where(AccessRulesParser.IsAccessDirective))
            .Select(name => new DirectiveSpec(name, DirectiveScope.Section, 0, -1, "...", static (_, _) => { })),
    ];
}
