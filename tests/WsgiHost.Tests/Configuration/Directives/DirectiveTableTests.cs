using System.Net.Security;
using WsgiHost.StaticFiles;
using System.Security.Authentication;
using WsgiHost.Access;
using WsgiHost.Configuration.Directives;
using WsgiHost.Configuration.Syntax;
using WsgiHost.Python.Runtime;
using WsgiHost.Tests.Configuration.Syntax;

namespace WsgiHost.Tests.Configuration.Directives;

/// <summary>The table as a whole, unknown and Apache-only directives, logs and TLS.</summary>
public sealed class DirectiveTableTests : IDisposable
{
    private readonly TempConfigFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>A valid use of each directive of the table that is not an Apache-only one, and where to write it.</summary>
    private static readonly Dictionary<string, string> Samples = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Listen"] = "Listen 8081",
        ["ServerName"] = "ServerName example.com",
        ["ServerAlias"] = "<VirtualHost *:80>\nServerAlias www.example.com\n</VirtualHost>",
        ["DocumentRoot"] = "DocumentRoot /srv/www",
        ["Alias"] = "Alias /static/ /srv/static/",
        ["AliasMatch"] = "AliasMatch ^/x$ /srv/x",
        ["SetEnv"] = "SetEnv A b",
        ["UnsetEnv"] = "UnsetEnv A",
        ["LimitRequestBody"] = "LimitRequestBody 1000",
        ["Timeout"] = "Timeout 30",
        ["TraceEnable"] = "TraceEnable off",
        ["AllowEncodedSlashes"] = "AllowEncodedSlashes NoDecode",
        ["MergeSlashes"] = "MergeSlashes Off",
        ["DirectorySlash"] = "DirectorySlash On",
        ["WSGIPythonOptimize"] = "WSGIPythonOptimize 1",
        ["WSGIErrorOverride"] = "<Location /app>\nWSGIErrorOverride On\n</Location>",
        ["AcceptPathInfo"] = "<Location /app>\nAcceptPathInfo Off\n</Location>",
        ["KeepAlive"] = "KeepAlive On",
        ["KeepAliveTimeout"] = "KeepAliveTimeout 5",
        ["MaxKeepAliveRequests"] = "MaxKeepAliveRequests 100",
        ["GracefulShutdownTimeout"] = "GracefulShutdownTimeout 30",
        ["ThreadsPerChild"] = "ThreadsPerChild 10",
        ["Options"] = "Options None",
        ["AllowOverride"] = "<Directory /srv>\nAllowOverride None\n</Directory>",
        ["DirectoryIndex"] = "DirectoryIndex index.html",
        ["ErrorLog"] = "ErrorLog /dev/stderr",
        ["PidFile"] = "PidFile /run/httpd.pid",
        ["LogLevel"] = "LogLevel info",
        ["LogFormat"] = "LogFormat \"%h %r\" short",
        ["CustomLog"] = "CustomLog /dev/stdout combined",
        ["TransferLog"] = "TransferLog /dev/stdout",
        ["SSLEngine"] = "<VirtualHost *:80>\nSSLEngine off\n</VirtualHost>",
        ["SSLCertificateFile"] = "SSLCertificateFile /dev/null",
        ["SSLCertificateKeyFile"] = "SSLCertificateKeyFile /dev/null",
        ["SSLCertificateChainFile"] = "SSLCertificateChainFile /dev/null",
        ["SSLRequireSSL"] = "<Location />\nSSLRequireSSL\n</Location>",
        ["SSLOptions"] = "SSLOptions +StdEnvVars",
        ["SSLProtocol"] = "SSLProtocol all -SSLv3",
        ["SSLCipherSuite"] = "SSLCipherSuite HIGH:!aNULL",
        ["SSLHonorCipherOrder"] = "SSLHonorCipherOrder on",
        ["SSLStrictSNIVHostCheck"] = "SSLStrictSNIVHostCheck on",
        ["SSLVerifyClient"] = "SSLVerifyClient optional_no_ca",
        ["SSLVerifyDepth"] = "SSLVerifyDepth 2",
        ["SSLCACertificateFile"] = "SSLCACertificateFile /dev/null",
        ["SSLCACertificatePath"] = "SSLCACertificatePath /tmp",
        ["UseCanonicalName"] = "UseCanonicalName On",
        ["SSLInsecureRenegotiation"] = "SSLInsecureRenegotiation off",
        ["SSLSessionTickets"] = "SSLSessionTickets off",
        ["SSLCompression"] = "SSLCompression off",
        ["SSLUseStapling"] = "SSLUseStapling on",
        ["SSLSessionCache"] = "SSLSessionCache shmcb:/tmp/x(512000)",
        ["SSLSessionCacheTimeout"] = "SSLSessionCacheTimeout 300",
        ["SSLStaplingCache"] = "SSLStaplingCache shmcb:/tmp/y(32768)",
        ["SSLRandomSeed"] = "SSLRandomSeed startup builtin",
        ["SSLPassPhraseDialog"] = "SSLPassPhraseDialog builtin",
        ["WSGIScriptAlias"] = "WSGIScriptAlias / /dev/null",
        ["WSGIScriptAliasMatch"] = "WSGIScriptAliasMatch ^/([^/]+) /srv/$1.wsgi",
        ["WSGIDaemonProcess"] = "WSGIDaemonProcess site",
        ["WSGIProcessGroup"] = "WSGIProcessGroup %{GLOBAL}",
        ["WSGIApplicationGroup"] = "WSGIApplicationGroup %{GLOBAL}",
        ["WSGICallableObject"] = "WSGICallableObject app",
        ["WSGIPassAuthorization"] = "WSGIPassAuthorization On",
        ["WSGIChunkedRequest"] = "WSGIChunkedRequest On",
        ["WSGIScriptReloading"] = "WSGIScriptReloading Off",
        ["WSGIMapHEADToGET"] = "WSGIMapHEADToGET Auto",
        ["WSGIRestrictProcess"] = "WSGIRestrictProcess %{GLOBAL}",
        ["WSGIRestrictEmbedded"] = "WSGIRestrictEmbedded Off",
        ["WSGISubInterpreterGIL"] = "WSGISubInterpreterGIL Own",
        ["WSGIApplicationInterpreters"] = "WSGIApplicationInterpreters 2",
        ["WSGIImportScript"] = "WSGIImportScript /dev/null process-group=%{GLOBAL} application-group=%{GLOBAL}",
        ["RemoteIPProxyProtocol"] = "RemoteIPProxyProtocol On",
        ["SetHandler"] = "<Location /server-status>\nSetHandler server-status\n</Location>",
        ["WSGITrustedProxyHeaders"] = "WSGITrustedProxyHeaders X-Forwarded-For X-Forwarded-Proto",
        ["WSGITrustedProxies"] = "WSGITrustedProxies 10.0.0.0/8 192.0.2.1",
        ["WSGIPythonHome"] = "WSGIPythonHome /tmp",
        ["WSGIPythonPath"] = "WSGIPythonPath /srv/lib",
        ["ServerRoot"] = "ServerRoot /tmp",
        ["LimitRequestFields"] = "LimitRequestFields 50",
        ["LimitRequestFieldSize"] = "LimitRequestFieldSize 16380",
        ["LimitRequestLine"] = "LimitRequestLine 16380",
        ["RequestReadTimeout"] = "RequestReadTimeout header=20-40,MinRate=500 body=20,MinRate=500",
        ["Require"] = "<Location />\nRequire all granted\n</Location>",
        ["Order"] = "<Location />\nOrder allow,deny\n</Location>",
        ["Allow"] = "<Location />\nAllow from all\n</Location>",
        ["Deny"] = "<Location />\nDeny from 10.0.0.1\n</Location>",
        ["Satisfy"] = "<Location />\nSatisfy Any\n</Location>",
        ["AuthMerging"] = "<Location />\nAuthMerging Or\nRequire ip 10.0.0.1\n</Location>",
        ["AuthType"] = "<Location />\nAuthType Basic\nAuthName Staff\nAuthUserFile /etc/htpasswd\nRequire valid-user\n</Location>",
        ["AuthName"] = "<Location />\nAuthName \"Staff only\"\n</Location>",
        ["AuthUserFile"] = "<Location />\nAuthUserFile /etc/htpasswd\n</Location>",
        ["AuthGroupFile"] = "<Location />\nAuthGroupFile /etc/htgroup\n</Location>",
        ["AuthBasicProvider"] = "<Location />\nAuthBasicProvider file\n</Location>",
        ["WSGIAuthUserScript"] = "<Location />\nWSGIAuthUserScript /srv/site/wsgi.py application-group=%{GLOBAL}\n</Location>",
        ["WSGIAuthGroupScript"] = "<Location />\nWSGIAuthGroupScript /srv/site/wsgi.py\n</Location>",
        ["WSGIAccessScript"] = "<Location />\nWSGIAccessScript /srv/site/hosts.py\n</Location>",
        ["AuthBasicAuthoritative"] = "<Location />\nAuthBasicAuthoritative On\n</Location>",
        ["AddOutputFilterByType"] = "AddOutputFilterByType DEFLATE text/html text/css",
        ["SetEnvIf"] = "SetEnvIf X-Forwarded-Proto ^https$ HTTPS=on",
        ["SetEnvIfNoCase"] = "SetEnvIfNoCase Request_URI \\.(?:gif|jpe?g|png)$ no-gzip dont-vary",
        ["BrowserMatch"] = "BrowserMatch ^Mozilla/4 gzip-only-text/html",
        ["BrowserMatchNoCase"] = "BrowserMatchNoCase bot is_bot",
        ["Header"] = "Header always set Strict-Transport-Security \"max-age=31536000\"",
        ["RequestHeader"] = "RequestHeader set X-Forwarded-Proto https",
        ["Redirect"] = "Redirect permanent / https://example.com/",
        ["ExpiresActive"] = "ExpiresActive On",
        ["AddType"] = "AddType application/wasm .wasm",
        ["Protocols"] = "Protocols h2 http/1.1",
        ["SSLOpenSSLConfCmd"] = "SSLOpenSSLConfCmd Curves X25519:prime256v1:secp384r1",
        ["ErrorDocument"] = "ErrorDocument 404 /errors/404.html",
        ["XSendFile"] = "XSendFile On",
        ["XSendFilePath"] = "XSendFilePath /srv/private AllowFileDelete",
        ["XSendFileUnescape"] = "XSendFileUnescape Off",
        ["XSendFileIgnoreEtag"] = "XSendFileIgnoreEtag On",
        ["XSendFileIgnoreLastModified"] = "<Location /downloads>\nXSendFileIgnoreLastModified On\n</Location>",
        ["ForceType"] = "<Location /raw>\nForceType text/plain\n</Location>",
        ["AddCharset"] = "AddCharset UTF-8 .utf8",
        ["AddEncoding"] = "AddEncoding gzip .svgz",
        ["RemoveEncoding"] = "<Location /x>\nRemoveEncoding .svgz\n</Location>",
        ["AddLanguage"] = "AddLanguage en .en",
        ["RemoveType"] = "RemoveType .es",
        ["RemoveCharset"] = "<Location /x>\nRemoveCharset .utf8\n</Location>",
        ["RemoveLanguage"] = "RemoveLanguage .en",
        ["DefaultLanguage"] = "DefaultLanguage en",
        ["AddDefaultCharset"] = "AddDefaultCharset UTF-8",
        ["User"] = "User www-data",
        ["FileETag"] = "<Directory /srv>\nFileETag -INode\n</Directory>",
        ["Group"] = "Group #33",
        ["RewriteEngine"] = "RewriteEngine On",
        ["RewriteOptions"] = "<VirtualHost *:80>\nServerName v.test\nRewriteOptions Inherit\n</VirtualHost>",
        ["RewriteCond"] = "RewriteCond %{HTTPS} off",
        ["RewriteRule"] = "RewriteEngine On\nRewriteRule ^ https://%{HTTP_HOST}%{REQUEST_URI} [R=301,L]",
        ["RemoteIPHeader"] = "RemoteIPHeader X-Forwarded-For",
        ["RemoteIPProxiesHeader"] = "RemoteIPProxiesHeader X-Forwarded-By",
        ["RemoteIPInternalProxy"] = "RemoteIPInternalProxy 10.0.0.0/8 127.0.0.1",
        ["RemoteIPTrustedProxy"] = "RemoteIPTrustedProxy 198.51.100.0/24",
        ["RemoteIPInternalProxyList"] = "RemoteIPInternalProxyList /dev/null",
        ["RemoteIPTrustedProxyList"] = "RemoteIPTrustedProxyList /dev/null",
        ["ExpiresDefault"] = "ExpiresDefault \"access plus 1 month\"",
        ["ExpiresByType"] = "ExpiresByType text/css A31536000",
        ["RedirectMatch"] = "RedirectMatch 301 ^/blog/(\\d+)$ https://blog.example.com/posts/$1",
        ["RedirectPermanent"] = "RedirectPermanent /old /new",
        ["RedirectTemp"] = "RedirectTemp /soon https://example.com/later",
        ["AddOutputFilter"] = "AddOutputFilter DEFLATE js css",
        ["DeflateFilterNote"] = "DeflateFilterNote Ratio ratio",
        ["BrotliFilterNote"] = "BrotliFilterNote Input instream",
        ["SetOutputFilter"] = "<Location /files>\nSetOutputFilter DEFLATE;BROTLI_COMPRESS\n</Location>",
        ["DeflateCompressionLevel"] = "DeflateCompressionLevel 6",
        ["BrotliCompressionQuality"] = "BrotliCompressionQuality 5",
        ["DeflateAlterETag"] = "DeflateAlterETag AddSuffix",
        ["BrotliAlterETag"] = "BrotliAlterETag AddSuffix",
        ["WSGIRestrictSignal"] = "WSGIRestrictSignal On",
    };

    public static TheoryData<string> Names() => [.. DirectiveTable.Directives.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Every directive either has a valid use here, or is an Apache tuning directive (a note) or an unsupported one (an error).</summary>
    [Theory]
    [MemberData(nameof(Names))]
    public void EveryDirectiveOfTheTableIsCovered(string name)
    {
        if (Samples.TryGetValue(name, out string? sample))
        {
            var result = SiteText.Build($"Listen 80\n{sample}");
            Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
            Assert.DoesNotContain(result.Diagnostics, d => d.Severity == DiagnosticSeverity.Warning);
            return;
        }
        if (name.StartsWith("ScriptAlias", StringComparison.OrdinalIgnoreCase))
        {
            // A warning, its URLs refused (DocumentRootTests.AScriptAliasFolderIsRefusedNeverSent).
            var warning = Assert.Single(SiteText.Build($"Listen 80\n{name} /cgi-bin/ /usr/lib/cgi-bin/").Diagnostics);
            warning.At(2, name);
            Assert.Contains("not applied", warning.Message, StringComparison.Ordinal);
            return;
        }
        if (name.Equals("AddHandler", StringComparison.OrdinalIgnoreCase))
        {
            // A warning or an error by handler: AddHandlerIsAWarningForATypeMapAndAnErrorForAScript.
            return;
        }
        if (AccessRulesParser.IsAccessDirective(name))
        {
            // Authentication not supported: refused where it may be written, by the access-rules parser.
            var refused = SiteText.Error($"Listen 80\n<Location />\n{name} x\n</Location>");
            refused.At(3, name);
            Assert.Equal($"{name}: this kind of authentication is not supported (WsgiHost has AuthType Basic with AuthUserFile and AuthGroupFile)", refused.Message);
            return;
        }
        var diagnostic = Assert.Single(SiteText.Build($"Listen 80\n{name} x").Diagnostics);
        diagnostic.At(2, name, hasFix: diagnostic.Severity != DiagnosticSeverity.Note);
        if (diagnostic.Severity == DiagnosticSeverity.Note)
        {
            // Apache's tuning, or the settings of a feature WsgiHost does not have (mod_autoindex, mod_negotiation, mod_cgid).
            Assert.Matches("^tunes Apache itself; WsgiHost accepts it and does not use it$|^(shapes|orders|sets up) mod_[a-z]+'s .*, wh.* WsgiHost does not (make|run).*; accepted and unused$", diagnostic.Message);
        }
        else if (diagnostic.Severity == DiagnosticSeverity.Warning)
        {
            // Accepted, but what it would change shows (ErrorLogFormat): the warning says what is done instead.
            Assert.Contains("not applied", diagnostic.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
            Assert.Equal("is not supported by WsgiHost", diagnostic.Message);
        }
    }

    [Fact]
    public void WsgiRestrictSignalOffSaysItIsNotApplied()
    {
        // The app's signal.signal() stays ignored; saying so beats a note that calls it Apache tuning (QA).
        var off = SiteText.Warning("Listen 80\nWSGIRestrictSignal Off");
        off.At(2, "WSGIRestrictSignal");
        Assert.StartsWith("Off is not applied: an application's signal.signal() is still ignored", off.Message, StringComparison.Ordinal);
        SiteText.Error("Listen 80\nWSGIRestrictSignal maybe").At(2, "WSGIRestrictSignal");
    }

    [Fact]
    public void AddHandlerIsAWarningForATypeMapAndAnErrorForAScript()
    {
        var typeMap = SiteText.Warning("Listen 80\nAddHandler type-map var");
        var cgi = SiteText.Error("Listen 80\nAddHandler cgi-script .cgi .pl");
        var wsgi = SiteText.Error("Listen 80\n<Directory /srv/app>\nAddHandler wsgi-script .wsgi\n</Directory>");

        typeMap.At(2, "AddHandler");
        Assert.Contains("ending in .var gets the file as it is", typeMap.Message);
        cgi.At(2, "AddHandler");
        Assert.Contains("sent as their source text", cgi.Message);
        wsgi.At(3, "AddHandler");
        Assert.StartsWith("map each script with WSGIScriptAlias", wsgi.Fix);
    }

    /// <summary>
    /// The symbolic-link options as Apache merges them: + and - change what the folder above
    /// gives, a line without them sets every option (so one that does not name FollowSymLinks
    /// turns it off); they are enforced for static files (SymbolicLinksTests).
    /// </summary>
    [Theory]
    [InlineData("", "", "Follow")]
    [InlineData("", "Options -FollowSymLinks", "Never")]
    [InlineData("", "Options SymLinksIfOwnerMatch", "IfOwnerMatch")]
    [InlineData("", "Options -Indexes +SymLinksIfOwnerMatch -FollowSymLinks", "IfOwnerMatch")]
    [InlineData("", "Options Indexes", "Never")]
    [InlineData("", "Options None", "Never")]
    [InlineData("Options None", "Options All", "Follow")]
    [InlineData("Options None", "Options +FollowSymLinks", "Follow")]
    [InlineData("Options -FollowSymLinks +SymLinksIfOwnerMatch", "Options -Indexes", "IfOwnerMatch")]
    [InlineData("Options -FollowSymLinks", "Options +Indexes", "Never")]
    public void SymbolicLinkOptionsMergeAsApachesDo(string outer, string inner, string rule)
    {
        SymLinkRule expected = Enum.Parse<SymLinkRule>(rule);
        var config = SiteText.Config($"Listen 80\n<Directory /srv>\n{outer}\n</Directory>\n<Directory /srv/site>\n{inner}\n</Directory>");
        var settings = config.MainServer.Defaults.Merge(config.MainServer.Sections[0].Payload.Settings).Merge(config.MainServer.Sections[1].Payload.Settings);
        Assert.Equal(expected, settings.SymLinks);
    }

    [Fact]
    public void OptionsMixingAbsoluteAndRelativeIsAnError() =>
        Assert.Equal("either every option starts with + or -, or none does", SiteText.Error("Listen 80\n<Directory /srv>\nOptions Indexes -FollowSymLinks\n</Directory>").Message);

    [Fact]
    public void MultiViewsIsAWarningAsIndexesIs()
    {
        var multiViews = SiteText.Warning("Listen 80\n<Directory /srv>\nOptions +FollowSymLinks +MultiViews\n</Directory>");
        var notes = SiteText.Notes("Listen 80\n<Directory /srv>\nOptions -MultiViews -Indexes\n</Directory>");

        multiViews.At(3, "Options");
        Assert.StartsWith("MultiViews: WsgiHost does not negotiate", multiViews.Message);
        Assert.Single(notes);
    }

    [Fact]
    public void AnUndefinedVariableThatDebiansEnvvarsExportsNamesTheFile()
    {
        string conf = _folder.Write("apache2.conf", "Listen 80\nErrorLog ${WSGIHOST_TEST_LOG_DIR}/error.log\nCustomLog ${WSGIHOST_TEST_UNSET}/access.log combined\n");
        _folder.Write("envvars", "# envvars - default environment variables for apache2ctl\nexport WSGIHOST_TEST_LOG_DIR=/var/log/apache2$SUFFIX\n");

        var errors = ConfigReader.ReadFile(conf).Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();

        Assert.Equal(2, errors.Count);
        string envvars = Path.Combine(Path.GetDirectoryName(conf)!, "envvars");
        Assert.Equal($"Debian's apache2ctl sets it from {envvars}: start WsgiHost as 'set -a; . {envvars}; set +a; wsgihost run ...' (it is a shell script), or add 'Define WSGIHOST_TEST_LOG_DIR <value>' before this line", errors[0].Fix);
        Assert.Equal("add 'Define WSGIHOST_TEST_UNSET <value>' before this line", errors[1].Fix);
    }

    [Theory]
    [InlineData("WSGIScriptAlais / /srv/app.wsgi", "WSGIScriptAlais", "did you mean WSGIScriptAlias?")]
    [InlineData("wsgidaemonproces site", "wsgidaemonproces", "did you mean WSGIDaemonProcess?")]
    [InlineData("ServerNmae example.com", "ServerNmae", "did you mean ServerName?")]
    [InlineData("Frobnicate on", "Frobnicate", "remove it")]
    public void AnUnknownDirectiveIsAnErrorWithADidYouMean(string line, string name, string fix)
    {
        var error = SiteText.Error($"Listen 80\n{line}");

        error.At(2, name);
        Assert.Equal($"Invalid command '{name}', perhaps misspelled or defined by a module WsgiHost does not have", error.Message);
        Assert.Equal(fix, error.Fix);
    }

    [Fact]
    public void AHugeGarbageDirectiveIsAnErrorWithoutASuggestion()
    {
        // Found by ConfigFuzzTests: the suggestion ran an edit distance against every known
        // directive, seconds for a 70 KB line and minutes for a few megabytes; names whose length
        // alone rules them out are skipped now.
        string name = new('Q', 2_000_000);
        var error = SiteText.Error($"Listen 80\n{name} on");

        error.At(2, name);
        Assert.Equal("remove it", error.Fix);
    }

    [Theory]
    [InlineData("WSGIScriptAlias / /srv/a\0b.wsgi", "WSGIScriptAlias")]
    [InlineData("ServerRoot /srv\0", "ServerRoot")]
    [InlineData("Include /etc/\0*.conf", "Include")]
    [InlineData("Define X /a\0b", "Define")]
    public void ANulCharacterIsAnErrorNotAnException(string lines, string directive)
    {
        // Found by ConfigFuzzTests: Path.GetFullPath threw ArgumentException out of the reader.
        var error = SiteText.Error($"Listen 80\n{lines}");

        error.At(2, directive);
        Assert.Equal("the line contains a NUL character", error.Message);
    }

    [Theory]
    [InlineData("LoadModule wsgi_module modules/mod_wsgi.so")]
    [InlineData("Mutex default")]
    [InlineData("User apache")]
    [InlineData("Group apache")]
    [InlineData("MaxRequestWorkers 150")]
    [InlineData("StartServers 2")]
    [InlineData("WSGISocketPrefix run/wsgi")]
    public void ApacheTuningIsAcceptedWithANote(string line)
    {
        var result = SiteText.Build($"Listen 80\n{line}");

        Assert.NotNull(result.Config);
        var note = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticSeverity.Note, note.Severity);
        note.At(2, line.Split(' ')[0], hasFix: false);
    }

    [Theory]
    [InlineData("RewriteBase /app/")]
    [InlineData("SetEnvIfExpr \"-R '10.0.0.0/8'\" internal")]
    [InlineData("ProxyPass /api http://127.0.0.1:9000/")]
    [InlineData("ProxyPassReverse /api http://127.0.0.1:9000/")]
    [InlineData("WSGIDispatchScript /srv/dispatch.py")]
    public void UnsupportedDirectivesAreErrors(string line)
    {
        var error = SiteText.Error($"Listen 80\n<VirtualHost *:80>\n  {line}\n</VirtualHost>");

        error.At(3, line.Split(' ')[0]);
        Assert.Equal("is not supported by WsgiHost", error.Message);
    }

    [Fact]
    public void APatternLongerThanAnyRealOneIsAnErrorNotSecondsOfParsing()
    {
        // .NET's regex parser takes seconds over 100,000 escapes (the config fuzzer found it through a <Files> wildcard).
        string plus = new('+', 100_000);
        SiteText.Error($"Listen 80\n<Directory /srv>\n<Files site{plus}.wsgi>\n</Files>\n</Directory>").At(3, "<Files>");
        SiteText.Error($"Listen 80\nSetEnvIf Request_URI ^/{plus.Replace("+", "\\+")}$ x").At(2, "SetEnvIf");
        SiteText.Error($"Listen 80\nAliasMatch ^/{plus.Replace("+", "\\+")}$ /srv").At(2, "AliasMatch");
    }

    [Fact]
    public void RequireDirectlyInAVirtualHostIsAnError()
    {
        var error = SiteText.Error("Listen 80\n<VirtualHost *:80>\n  Require all granted\n</VirtualHost>");

        error.At(3, "Require");
        Assert.Equal("not allowed directly in <VirtualHost>", error.Message);
        Assert.Contains("<Location />", error.Fix, StringComparison.Ordinal);
        Assert.Contains("<Directory", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void RequireAtServerLevelAndRequireAllOutsideASectionAreErrors()
    {
        SiteText.Error("Listen 80\nRequire all granted").At(2, "Require");
        var container = SiteText.Error("Listen 80\n<VirtualHost *:80>\n  <RequireAll>\n    Require all granted\n  </RequireAll>\n</VirtualHost>");
        container.At(3, "<RequireAll>");
        Assert.Equal("put <RequireAll> inside <Location> or <Directory>", container.Fix);
    }

    /// <summary>
    /// Apache reads "" as a missing argument. Taken as a path, it was the config's own folder:
    /// <c>WSGIScriptAlias / ""</c> ran every file next to the config as a script (QA).
    /// </summary>
    [Theory]
    [InlineData("WSGIScriptAlias / \"\"", "WSGIScriptAlias", 2)]
    [InlineData("DocumentRoot \"\"", "DocumentRoot", 1)]
    [InlineData("Alias /a \"\"", "Alias", 2)]
    [InlineData("SetEnv \"\" x", "SetEnv", 1)]
    [InlineData("WSGIDaemonProcess \"\"", "WSGIDaemonProcess", 1)]
    [InlineData("WSGIPythonPath \"\"", "WSGIPythonPath", 1)]
    [InlineData("ServerRoot \"\"", "ServerRoot", 1)]
    public void AnEmptyRequiredArgumentIsAnError(string line, string directive, int argument)
    {
        var error = SiteText.Error($"Listen 80\n{line}");

        error.At(2, directive);
        Assert.Equal($"argument {argument} is empty (\"\"), which Apache reads as a missing argument", error.Message);
    }

    [Theory]
    [InlineData("Define \"\" x", "Define")]
    [InlineData("Include \"\"", "Include")]
    [InlineData("IncludeOptional \"\"", "IncludeOptional")]
    public void AnEmptyNameOrPathOfTheReaderIsAnError(string line, string directive)
    {
        var error = SiteText.Error($"Listen 80\n{line}");

        error.At(2, directive);
        Assert.Equal($"{directive}'s argument is empty (\"\"), which Apache reads as no argument", error.Message);
    }

    [Fact]
    public void WordsAfterAnOnOffValueAreIgnoredWithAWarningAsApacheIgnoresThem()
    {
        var result = SiteText.Build("Listen 80\nRewriteEngine on # force https below\nWSGIPassAuthorization On really");

        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        var warnings = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Warning).ToList();
        Assert.Equal(["the words after 'on' are ignored, as Apache ignores them", "the words after 'On' are ignored, as Apache ignores them"], warnings.Select(w => w.Message));
        Assert.Equal([2, 3], warnings.Select(w => w.Location.Line));
        Assert.True(result.Config!.MainServer.Defaults.PassAuthorization);
    }

    [Fact]
    public void AnEmptyOptionalValueStaysAllowed()
    {
        SiteText.Clean("Listen 80\nSetEnv EMPTY \"\"\nHeader set X-Empty \"\"\n<Location />\n  RequestHeader set X-Forwarded-User \"\"\n</Location>");
    }

    [Fact]
    public void AuthenticationOtherThanBasicIsRefusedInASection()
    {
        var errors = SiteText.Errors("Listen 80\n<Location />\n  AuthType Digest\n  AuthDigestProvider file\n  AuthBasicProvider ldap\n</Location>");

        Assert.Contains(errors, e => e.Location.Line == 3 && e.Directive == "AuthType" && e.Message == "AuthType Digest is not supported (WsgiHost has Basic, and None)");
        Assert.Contains(errors, e => e.Location.Line == 4 && e.Directive == "AuthDigestProvider");
        Assert.Contains(errors, e => e.Location.Line == 5 && e.Directive == "AuthBasicProvider" && e.Message.Contains("'ldap'", StringComparison.Ordinal));
    }

    [Fact]
    public void BasicAuthenticationIsReadAndInheritedFieldByField()
    {
        var config = SiteText.Clean("""
            Listen 80
            ServerRoot /etc/apache2
            <Directory /srv/site>
              AuthType Basic
              AuthName "Staff only"
              AuthUserFile passwords
              Require valid-user
            </Directory>
            <Location /admin>
              AuthGroupFile /etc/apache2/groups
              Require group admins
            </Location>
            """);

        var directory = config.MainServer.Sections[0].Payload.Access!;
        Assert.Equal(new WsgiHost.Access.AuthSettings("Basic", "Staff only", "/etc/apache2/passwords", null), directory.Auth);
        var admin = WsgiHost.Access.AccessRules.Merge(directory, config.MainServer.Sections[1].Payload.Access!);
        Assert.Equal(new WsgiHost.Access.AuthSettings("Basic", "Staff only", "/etc/apache2/passwords", "/etc/apache2/groups"), admin.Auth);
        Assert.Equal("<RequireAny> Require group admins </RequireAny>", admin.ToString());
    }

    [Fact]
    public void Logs()
    {
        var config = SiteText.Clean("""
            Listen 80
            ErrorLog /tmp/error.log
            LogLevel info
            LogFormat "%h %>s" short
            CustomLog /tmp/access.log combined
            <VirtualHost *:80>
              ErrorLog /var/tmp/error.log
              CustomLog /dev/stdout short
              CustomLog /var/tmp/raw.log "%h %U"
              TransferLog /var/tmp/transfer.log
            </VirtualHost>
            """);

        Assert.Equal("/tmp/error.log", config.ErrorLog);
        Assert.Equal(ErrorLogLevel.Info, config.LogLevel);
        Assert.Equal("%h %>s", config.LogFormats["short"]);
        var main = Assert.Single(config.MainServer.CustomLogs);
        Assert.Equal("/tmp/access.log", main.Path);
        Assert.Equal("%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\"", main.Format);
        Assert.Equal(5, main.Location.Line);
        var vhost = config.VirtualHosts[0];
        Assert.Equal("/var/tmp/error.log", vhost.ErrorLog);
        Assert.Equal(["%h %>s", "%h %U", "%h %l %u %t \"%r\" %>s %b"], vhost.CustomLogs.Select(l => l.Format));
        Assert.Equal(["/dev/stdout", "/var/tmp/raw.log", "/var/tmp/transfer.log"], vhost.CustomLogs.Select(l => l.Path));
    }

    [Theory]
    [InlineData("LogLevel debug", ErrorLogLevel.Debug)]
    [InlineData("LogLevel trace3", ErrorLogLevel.Debug)]
    [InlineData("LogLevel warn", ErrorLogLevel.Warning)]
    [InlineData("LogLevel crit", ErrorLogLevel.Critical)]
    [InlineData("LogLevel warn wsgi:info", ErrorLogLevel.Warning)]
    [InlineData("LogLevel error ssl:debug", ErrorLogLevel.Error)]
    [InlineData("LogLevel wsgi:debug", ErrorLogLevel.Warning)]
    public void LogLevels(string line, ErrorLogLevel level) =>
        Assert.Equal(level, SiteText.Clean($"Listen 80\n{line}").LogLevel);

    [Theory]
    [InlineData("LogLevel info wsgi:debug", "wsgi", ErrorLogLevel.Debug)]
    [InlineData("LogLevel warn mod_wsgi.c:info", "wsgi", ErrorLogLevel.Info)]
    [InlineData("LogLevel ssl_module:error core:trace2", "ssl", ErrorLogLevel.Error)]
    [InlineData("LogLevel ssl_module:error core:trace2", "core", ErrorLogLevel.Debug)]
    public void PerModuleLevelsAreKeptByTheModuleNameEntriesCarry(string line, string module, ErrorLogLevel level) =>
        Assert.Equal(level, SiteText.Clean($"Listen 80\n{line}").ModuleLogLevels[module]);

    [Fact]
    public void AModuleWsgiHostNeverLogsAsIsAWarning()
    {
        var warning = SiteText.Warning("Listen 80\nLogLevel info rewrite:trace3");
        warning.At(2, "LogLevel");
        Assert.Equal("WsgiHost writes no messages as module 'rewrite', so 'rewrite:trace3' changes nothing", warning.Message);
    }

    [Fact]
    public void LogErrors()
    {
        var level = SiteText.Error("Listen 80\nLogLevel loud");
        level.At(2, "LogLevel");
        Assert.Equal("unknown level 'loud'", level.Message);

        var nickname = SiteText.Error("Listen 80\nCustomLog /var/log/access.log combind");
        nickname.At(2, "CustomLog");
        Assert.Equal("no LogFormat is named 'combind'", nickname.Message);

        // Piped logs are kept as written (the program is started with the server).
        Assert.Equal("|/usr/bin/rotatelogs x", Assert.Single(SiteText.Clean("Listen 80\nCustomLog \"|/usr/bin/rotatelogs x\" common").MainServer.CustomLogs).Path);
        Assert.Equal("|/usr/bin/logger -t site", SiteText.Clean("Listen 80\nErrorLog \"|/usr/bin/logger -t site\"").ErrorLog);

        Assert.Equal(new WsgiHost.Metadata.VariableCondition("dontlog", Negated: true),
            Assert.Single(SiteText.Clean("Listen 80\nCustomLog /dev/stdout common env=!dontlog").MainServer.CustomLogs).Condition);
        var expr = SiteText.Warning("Listen 80\nCustomLog /dev/stdout common \"expr=%{REQUEST_STATUS} >= 400\"");
        expr.At(2, "CustomLog");
        Assert.Contains("SetEnvIf", expr.Fix, StringComparison.Ordinal);
        SiteText.Warning("Listen 80\nErrorLog syslog:local1").At(2, "ErrorLog");
    }

    [Fact]
    public void ALogFileInAFolderThatDoesNotExistIsAnError()
    {
        // Apache refuses to start (AH02291); creating the folder would hide a mistyped path.
        string missing = _folder.PathOf("no-such-folder");
        var error = SiteText.Error($"Listen 80\nLogLevel info\nErrorLog {missing}/error.log");
        error.At(3, "ErrorLog");
        Assert.Equal($"the folder of the log file {missing}/error.log does not exist", error.Message);
        Assert.Equal($"create it (mkdir -p {missing}) or correct the path", error.Fix);
        SiteText.Error($"Listen 80\n<VirtualHost *:80>\nCustomLog {missing}/access.log common\n</VirtualHost>").At(3, "CustomLog");
        SiteText.Error($"Listen 80\nTransferLog {missing}/transfer.log").At(2, "TransferLog");
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public void ALogFormatNicknameMayBeDefinedAfterTheCustomLogThatUsesIt()
    {
        var config = SiteText.Clean("Listen 80\nCustomLog /var/log/access.log timed\nLogFormat \"%h %D\" timed");
        Assert.Equal("%h %D", Assert.Single(config.MainServer.CustomLogs).Format);
    }

    [Fact]
    public void ALogFormatNicknameDefinedInAVirtualHostIsThatHostsOwn()
    {
        var config = SiteText.Clean("Listen 80\nLogFormat \"%h main\" x\n" +
            "<VirtualHost *:80>\n  ServerName a\n  LogFormat \"%h a\" x\n  CustomLog /var/log/a.log x\n  TransferLog /var/log/a-transfer.log\n</VirtualHost>\n" +
            "<VirtualHost *:80>\n  ServerName b\n  CustomLog /var/log/b.log x\n</VirtualHost>");
        Assert.Equal("%h a", config.VirtualHosts[0].CustomLogs[0].Format);
        Assert.Equal("%h main", Assert.Single(config.VirtualHosts[1].CustomLogs).Format);
    }

    [Fact]
    public void TlsVirtualHost()
    {
        string cert = _folder.Write("cert.pem", "x");
        string key = _folder.Write("key.pem", "x");
        var config = SiteText.Clean($"Listen 443\n<VirtualHost *:443>\n  SSLEngine on\n  SSLCertificateFile {cert}\n  SSLCertificateKeyFile {key}\n</VirtualHost>");

        var tls = config.VirtualHosts[0].Tls;
        Assert.NotNull(tls);
        Assert.Equal(cert, tls!.CertificateFile);
        Assert.Equal(key, tls.KeyFile);
        Assert.Null(tls.ChainFile);
        Assert.Equal(3, tls.Location.Line);
        Assert.Null(SiteText.Clean("Listen 80\n<VirtualHost *:80>\n  SSLEngine off\n</VirtualHost>").VirtualHosts[0].Tls);
    }

    [Theory]
    [InlineData("all -SSLv3 -TLSv1 -TLSv1.1", SslProtocols.Tls12 | SslProtocols.Tls13, null)]
    // certbot's options-ssl-apache.conf: -SSLv2 is taken and means nothing, as in mod_ssl.
    [InlineData("all -SSLv2 -SSLv3 -TLSv1 -TLSv1.1", SslProtocols.Tls12 | SslProtocols.Tls13, null)]
    [InlineData("-all +TLSv1.3", SslProtocols.Tls13, null)]
    [InlineData("TLSv1.2", SslProtocols.Tls12, null)]
    [InlineData("all -SSLv3", SslProtocols.Tls12 | SslProtocols.Tls13, "TLSv1, TLSv1.1 not served (OpenSSL refuses them at its default security level); TLSv1.2 and TLSv1.3 as chosen")]
    public void SslProtocolChoosesTheTlsVersionsServed(string value, SslProtocols expected, string? note)
    {
        var result = SiteText.Build(TlsSite($"  SSLProtocol {value}\n"));

        Assert.Equal(expected, result.Config!.VirtualHosts[0].Tls!.Protocols);
        if (note == null)
        {
            Assert.Empty(result.Diagnostics);
        }
        else
        {
            var diagnostic = Assert.Single(result.Diagnostics);
            Assert.Equal(DiagnosticSeverity.Note, diagnostic.Severity);
            diagnostic.At(6, "SSLProtocol", hasFix: false);
            Assert.Equal(note, diagnostic.Message);
        }
    }

    [Fact]
    public void AVirtualHostWithoutSslProtocolTakesTheMainServers()
    {
        Assert.Equal(SslProtocols.Tls13, SiteText.Clean("SSLProtocol -all +TLSv1.3\n" + TlsSite("")).VirtualHosts[0].Tls!.Protocols);
        Assert.Equal(SslProtocols.Tls12, SiteText.Clean("SSLProtocol -all +TLSv1.3\n" + TlsSite("  SSLProtocol -all +TLSv1.2\n")).VirtualHosts[0].Tls!.Protocols);
        Assert.Null(SiteText.Clean(TlsSite("")).VirtualHosts[0].Tls!.Protocols);
    }

    [Fact]
    public void SslProtocolErrors()
    {
        var older = SiteText.Error(TlsSite("  SSLProtocol TLSv1 TLSv1.1\n"));
        older.At(6, "SSLProtocol");
        Assert.StartsWith("no protocol that WsgiHost serves", older.Message);

        var unknown = SiteText.Error(TlsSite("  SSLProtocol all -TLSv2\n"));
        unknown.At(6, "SSLProtocol");
        Assert.Equal("unknown protocol 'TLSv2'", unknown.Message);

        var sslv2 = SiteText.Error(TlsSite("  SSLProtocol +SSLv2 +TLSv1.2\n"));
        Assert.Equal("SSLv2 is no longer supported", sslv2.Message);
    }

    /// <summary>SSLCipherSuite is expanded by OpenSSL as mod_ssl's is, and the handshakes offer only what it selects.</summary>
    [Fact]
    public void SslCipherSuiteSelectsTheSuitesOffered()
    {
        var tls = SiteText.Clean(TlsSite("  SSLCipherSuite ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384\n")).VirtualHosts[0].Tls!;
        // The TLS 1.2 ones named, after OpenSSL's default TLS 1.3 suites, which the line leaves alone.
        Assert.Equal([TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384], tls.CipherSuites!.Where(c => !c.ToString().StartsWith("TLS_AES_", StringComparison.Ordinal) && !c.ToString().StartsWith("TLS_CHACHA20_", StringComparison.Ordinal)));
        Assert.Contains(TlsCipherSuite.TLS_AES_256_GCM_SHA384, tls.CipherSuites!);

        var only13 = SiteText.Clean("SSLCipherSuite TLSv1.3 TLS_AES_256_GCM_SHA384\n" + TlsSite("")).VirtualHosts[0].Tls!;
        Assert.Contains(TlsCipherSuite.TLS_AES_256_GCM_SHA384, only13.CipherSuites!);
        Assert.DoesNotContain(TlsCipherSuite.TLS_AES_128_GCM_SHA256, only13.CipherSuites!);

        // The usual line of Debian's ssl.conf: strong TLS 1.2 suites, none without authentication.
        var high = SiteText.Clean(TlsSite("  SSLCipherSuite HIGH:!aNULL\n")).VirtualHosts[0].Tls!;
        Assert.Contains(TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, high.CipherSuites!);
        Assert.DoesNotContain(TlsCipherSuite.TLS_DH_anon_WITH_AES_256_GCM_SHA384, high.CipherSuites!);

        Assert.Null(SiteText.Clean(TlsSite("")).VirtualHosts[0].Tls!.CipherSuites);
    }

    [Fact]
    public void SslCipherSuiteThatSelectsNothingIsAnError()
    {
        var none = SiteText.Error(TlsSite("  SSLCipherSuite NOSUCHCIPHER\n"));
        none.At(6, "SSLCipherSuite");
        Assert.Equal("OpenSSL selects no TLS 1.2 cipher with 'NOSUCHCIPHER'", none.Message);

        var protocol = SiteText.Error(TlsSite("  SSLCipherSuite TLSv1.2 HIGH\n"));
        Assert.Equal("unknown protocol 'TLSv1.2'", protocol.Message);
    }

    /// <summary>A TLS virtual host whose sixth line is <paramref name="extra"/>'s first.</summary>
    private string TlsSite(string extra)
    {
        string cert = _folder.Write("cert.pem", "x");
        string key = _folder.Write("key.pem", "x");
        return $"Listen 443\n<VirtualHost *:443>\n  SSLEngine on\n  SSLCertificateFile {cert}\n  SSLCertificateKeyFile {key}\n{extra}</VirtualHost>";
    }

    [Fact]
    public void SslEngineOnWithoutACertificateIsAnError()
    {
        var error = SiteText.Error("Listen 443\n<VirtualHost *:443>\n  ServerName a.example\n  SSLEngine on\n</VirtualHost>");

        error.At(4, "SSLEngine");
        Assert.Equal("SSLEngine on without a readable SSLCertificateFile", error.Message);
    }

    [Fact]
    public void SslEngineOnAtTopLevelIsAnError()
    {
        var error = SiteText.Error("Listen 443\nSSLEngine on");

        error.At(2, "SSLEngine");
        Assert.Equal("TLS is set per virtual host", error.Message);
    }

    [Fact]
    public void SslErrors()
    {
        var optional = SiteText.Error("Listen 443\n<VirtualHost *:443>\n  SSLEngine optional\n</VirtualHost>");
        optional.At(3, "SSLEngine");
        Assert.Equal("'optional' is not supported", optional.Message);

        var missing = SiteText.Error("Listen 443\nSSLCertificateFile /nonexistent/cert.pem");
        missing.At(2, "SSLCertificateFile");
        Assert.Equal("file '/nonexistent/cert.pem' does not exist", missing.Message);

        var option = SiteText.Error("Listen 443\nSSLOptions +Bogus");
        option.At(2, "SSLOptions");
        Assert.Equal("unknown option '+Bogus'", option.Message);

        SiteText.Error("Listen 443\n<VirtualHost *:443>\n  SSLSessionCache none\n</VirtualHost>").At(3, "SSLSessionCache");
    }

    [Fact]
    public void SetHandlerNamesABuiltInHandlerInASection()
    {
        var config = SiteText.Clean("Listen 80\n<Location /metrics>\nSetHandler wsgihost-metrics\n</Location>");
        Assert.Equal("wsgihost-metrics", Assert.Single(config.MainServer.Sections).Payload.Settings.Handler);

        var script = SiteText.Error("Listen 80\n<Location /app>\nSetHandler wsgi-script\n</Location>");
        script.At(3, "SetHandler");
        Assert.Equal("handler 'wsgi-script' is not one WsgiHost has", script.Message);
        Assert.Equal("map WSGI scripts with WSGIScriptAlias", script.Fix);

        SiteText.Error("Listen 80\nSetHandler server-status").At(2, "SetHandler");
    }

    [Fact]
    public void SslVerifyClientIsPerVirtualHostAndNeedsTheCaThatIssuesTheCertificates()
    {
        var inSection = SiteText.Error("Listen 80\n<Location /admin>\nSSLVerifyClient require\n</Location>");
        inSection.At(3, "SSLVerifyClient");
        Assert.Contains("renegotiation", inSection.Message, StringComparison.Ordinal);
        Assert.Contains("Require ssl-verify-client", inSection.Fix, StringComparison.Ordinal);

        string certificate = _folder.Write("c.pem", "x");
        // As mod_ssl (AH01897): it runs, and refuses every certificate; a warning.
        var built = SiteText.Build($"Listen 443\n<VirtualHost *:443>\nSSLEngine on\nSSLCertificateFile {certificate}\nSSLVerifyClient require\n</VirtualHost>");
        Assert.False(built.HasErrors, string.Join("\n", built.Diagnostics));
        var noCa = Assert.Single(built.Diagnostics, d => d.Severity == DiagnosticSeverity.Warning);
        noCa.At(3, "SSLVerifyClient");
        Assert.Contains("SSLCACertificateFile", noCa.Fix, StringComparison.Ordinal);
        // A CA file that does not exist is that error alone, not a second one saying no CA was named.
        var missing = SiteText.Build($"Listen 443\n<VirtualHost *:443>\nSSLEngine on\nSSLCertificateFile {certificate}\nSSLVerifyClient require\nSSLCACertificateFile /nonexistent/ca.pem\n</VirtualHost>");
        Assert.Single(missing.Diagnostics, d => d.Severity != DiagnosticSeverity.Note);
        // none in a section asks for nothing more: it runs, as in Apache.
        Assert.False(SiteText.Build("Listen 80\n<Location /open>\nSSLVerifyClient none\n</Location>").HasErrors);

        // Written for the main server, every TLS virtual host takes it, as in mod_ssl.
        var inherited = SiteText.Config($"Listen 443\nSSLVerifyClient optional\nSSLVerifyDepth 3\nSSLCACertificateFile {certificate}\n<VirtualHost *:443>\nSSLEngine on\nSSLCertificateFile {certificate}\n</VirtualHost>");
        var clients = inherited.VirtualHosts[0].Tls!.ClientCertificates!;
        Assert.Equal(WsgiHost.Configuration.Model.ClientVerifyMode.Optional, clients.Mode);
        Assert.Equal(3, clients.Depth);
        Assert.Equal(certificate, clients.CaFile);
        Assert.Null(SiteText.Config($"Listen 443\n<VirtualHost *:443>\nSSLEngine on\nSSLCertificateFile {certificate}\nSSLVerifyClient none\n</VirtualHost>").VirtualHosts[0].Tls!.ClientCertificates);
    }
}
