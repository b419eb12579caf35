using System.Net;
using WsgiHost.Access;
using WsgiHost.Configuration.Model;
using WsgiHost.Routing;

namespace WsgiHost.Tests.Configuration.Directives;

/// <summary>Listen, virtual hosts, names, Alias, SetEnv, limits and connection settings.</summary>
public sealed class CoreDirectiveTests
{
    [Theory]
    [InlineData("Listen 8080", null, 8080)]
    [InlineData("Listen 127.0.0.1:8080", "127.0.0.1", 8080)]
    [InlineData("Listen [::1]:8080", "::1", 8080)]
    [InlineData("Listen *:8443 https", null, 8443)]
    [InlineData("Listen 0.0.0.0:80 http", "0.0.0.0", 80)]
    public void ListenForms(string line, string? address, int port)
    {
        var config = SiteText.Clean(line);

        var listen = Assert.Single(config.Listeners);
        Assert.Equal(address == null ? null : IPAddress.Parse(address), listen.Address);
        Assert.Equal(port, listen.Port);
        Assert.Equal(1, listen.Location.Line);
    }

    [Fact]
    public void ListenersKeepFileOrder()
    {
        var config = SiteText.Clean("Listen 80\nListen 127.0.0.1:8080\nListen [::1]:8080");

        Assert.Equal(["*:80", "127.0.0.1:8080", "[::1]:8080"], config.Listeners.Select(l => l.ToString()));
    }

    [Fact]
    public void ADuplicateListenIsAnError()
    {
        var error = SiteText.Error("Listen 127.0.0.1:8080\nListen 80\nListen 127.0.0.1:8080");

        error.At(3, "Listen");
        Assert.Equal("127.0.0.1:8080 is already listed at site.conf:1", error.Message);
    }

    [Fact]
    public void AListenForEveryAddressAndOneForAnAddressOnTheSamePortOverlap()
    {
        var error = SiteText.Error("Listen 8080\nListen 127.0.0.1:8080");
        error.At(2, "Listen");
        Assert.Equal("127.0.0.1:8080 overlaps Listen *:8080 at site.conf:1, which already takes port 8080 on every address", error.Message);
    }

    [Theory]
    [InlineData("Listen eighty")]
    [InlineData("Listen 70000")]
    [InlineData("Listen 0")]
    [InlineData("Listen localhost:80")]
    [InlineData("Listen 300.1.1.1:80")]
    [InlineData("Listen 127.0.0.1:")]
    public void ABadListenAddressIsAnError(string line)
    {
        var error = SiteText.Error($"Listen 81\n{line}");

        error.At(2, "Listen");
        Assert.Equal($"'{line[7..]}' is not [IP-address:]port", error.Message);
    }

    [Fact]
    public void AnUnknownListenProtocolIsAnError()
    {
        var error = SiteText.Error("Listen 80 gopher");

        error.At(1, "Listen");
        Assert.Equal("unknown protocol 'gopher'", error.Message);
    }

    [Fact]
    public void NoListenAtAllIsAnError()
    {
        var error = SiteText.Error("ServerName example.com");

        error.At(1, "Listen");
        Assert.StartsWith("no Listen directive", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ListenIsOnlyForTheMainServer()
    {
        var error = SiteText.Error("Listen 80\n<VirtualHost *:80>\n  Listen 81\n</VirtualHost>");

        error.At(3, "Listen");
        Assert.Equal("not allowed directly in <VirtualHost>", error.Message);
        Assert.Equal("move Listen outside every <VirtualHost> and section", error.Fix);
    }

    [Theory]
    [InlineData("*:80", null, 80)]
    [InlineData("127.0.0.1:8080", "127.0.0.1", 8080)]
    [InlineData("_default_:80", null, 80)]
    [InlineData("*", null, null)]
    [InlineData("*:*", null, null)]
    [InlineData("127.0.0.1", "127.0.0.1", null)]
    [InlineData("[::1]:80", "::1", 80)]
    [InlineData("[::1]", "::1", null)]
    public void VirtualHostAddressForms(string written, string? address, int? port)
    {
        var config = SiteText.Clean($"Listen 80\nListen 8080\n<VirtualHost {written}>\n  ServerName a.example\n</VirtualHost>");

        var vhost = Assert.Single(config.VirtualHosts);
        Assert.True(vhost.IsVirtualHost);
        Assert.Equal(3, vhost.Location.Line);
        Assert.Equal([new IPEndPointPattern(address == null ? null : IPAddress.Parse(address), port)], vhost.Addresses);
        Assert.Equal("a.example", vhost.ServerName);
    }

    [Fact]
    public void AVirtualHostMayHaveSeveralAddresses()
    {
        var config = SiteText.Clean("Listen 80\nListen 8080\n<VirtualHost 127.0.0.1:80 *:8080>\n</VirtualHost>");

        Assert.Equal([new IPEndPointPattern(IPAddress.Loopback, 80), new IPEndPointPattern(null, 8080)], config.VirtualHosts[0].Addresses);
    }

    [Theory]
    [InlineData("www.example.com", "'www.example.com' is not an address: WsgiHost takes IP addresses or *, not host names, in <VirtualHost>")]
    [InlineData("www.example.com:80", "'www.example.com:80' is not an address: WsgiHost takes IP addresses or *, not host names, in <VirtualHost>")]
    [InlineData("*:http", "'*:http' is not address:port")]
    [InlineData("127.0.0.1:99999", "'127.0.0.1:99999' is not address:port")]
    public void ABadVirtualHostAddressIsAnError(string written, string message)
    {
        var error = SiteText.Error($"Listen 80\n<VirtualHost {written}>\n</VirtualHost>");

        error.At(2, "<VirtualHost>");
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void AVirtualHostWithoutAddressIsAnError()
    {
        var error = SiteText.Error("Listen 80\n<VirtualHost>\n</VirtualHost>");

        error.At(2, "<VirtualHost>");
        Assert.Equal("needs at least one address", error.Message);
    }

    [Fact]
    public void AVirtualHostInsideAVirtualHostIsAnError()
    {
        var errors = SiteText.Errors("Listen 80\n<VirtualHost *:80>\n  <VirtualHost *:80>\n  </VirtualHost>\n</VirtualHost>");

        var error = Assert.Single(errors);
        error.At(3, "<VirtualHost>");
        Assert.Equal("<VirtualHost> cannot be directly in <VirtualHost>", error.Message);
    }

    [Theory]
    [InlineData("*:8081", "add Listen 8081")]
    [InlineData("127.0.0.2:80", "add Listen 127.0.0.2:80")]
    [InlineData("[::1]:8081", "add Listen [::1]:8081")]
    public void AVirtualHostPortNoListenCoversIsAWarning(string address, string fix)
    {
        var warning = SiteText.Warning($"Listen 127.0.0.1:80\n<VirtualHost {address}>\n  ServerName a.example\n</VirtualHost>");

        warning.At(2, "<VirtualHost>");
        Assert.StartsWith("no Listen covers ", warning.Message, StringComparison.Ordinal);
        Assert.Equal(fix, warning.Fix);
    }

    [Theory]
    [InlineData("Listen 80", "*:80")]
    [InlineData("Listen 127.0.0.1:80", "*:80")]
    [InlineData("Listen 80", "127.0.0.1:80")]
    [InlineData("Listen 8080", "*")]
    public void AListenCoversTheVirtualHost(string listen, string address) =>
        SiteText.Clean($"{listen}\n<VirtualHost {address}>\n</VirtualHost>");

    [Theory]
    [InlineData("www.example.com", "www.example.com", null, null)]
    [InlineData("www.example.com:8080", "www.example.com", 8080, null)]
    [InlineData("https://www.example.com:443", "www.example.com", 443, "https")]
    [InlineData("HTTPS://www.example.com", "www.example.com", null, "https")]
    [InlineData("http://www.example.com", "www.example.com", null, "http")]
    public void ServerNameForms(string written, string name, int? port, string? scheme)
    {
        var config = SiteText.Clean($"Listen 80\nServerName {written}\n<VirtualHost *:80>\n  ServerName {written}\n</VirtualHost>");

        Assert.Equal(name, config.MainServer.ServerName);
        Assert.Equal(port, config.MainServer.ServerNamePort);
        Assert.Equal(scheme, config.MainServer.ServerNameScheme);
        Assert.Equal(name, config.VirtualHosts[0].ServerName);
        Assert.Equal(port, config.VirtualHosts[0].ServerNamePort);
        Assert.Equal(scheme, config.VirtualHosts[0].ServerNameScheme);
    }

    [Theory]
    [InlineData("www.example.com:http", "'www.example.com:http' has an invalid port")]
    [InlineData("www.example.com:0", "'www.example.com:0' has an invalid port")]
    [InlineData("*.example.com", "'*.example.com' is not a host name")]
    [InlineData("https://", "'https://' is not a host name")]
    public void ABadServerNameIsAnError(string written, string message)
    {
        var error = SiteText.Error($"Listen 80\nServerName {written}");

        error.At(2, "ServerName");
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void ServerAliasesAccumulateInTheVirtualHost()
    {
        var config = SiteText.Clean("Listen 80\n<VirtualHost *:80>\n  ServerName example.com\n  ServerAlias www.example.com *.example.org\n  ServerAlias example.net\n</VirtualHost>");

        Assert.Equal(["www.example.com", "*.example.org", "example.net"], config.VirtualHosts[0].ServerAliases);
    }

    [Fact]
    public void ServerAliasOutsideAVirtualHostIsAnError()
    {
        var error = SiteText.Error("Listen 80\nServerAlias www.example.com");

        error.At(2, "ServerAlias");
        Assert.Equal("not allowed outside a <VirtualHost> (in the main server)", error.Message);
        Assert.Equal("move ServerAlias inside a <VirtualHost>", error.Fix);
    }

    [Fact]
    public void RelativePathsStartAtTheConfigFolderThenAtServerRoot()
    {
        string root = Path.GetTempPath().TrimEnd('/');
        var config = SiteText.Config($"Listen 80\nDocumentRoot /srv/www\nAlias /a a\nServerRoot {root}\n<VirtualHost *:80>\n  DocumentRoot htdocs\n</VirtualHost>");

        Assert.Equal("/srv/www", config.MainServer.DocumentRoot);
        Assert.Equal(Path.GetFullPath("a"), config.MainServer.Aliases[0].Target);
        Assert.Equal(Path.Combine(root, "htdocs"), config.VirtualHosts[0].DocumentRoot);
    }

    [Fact]
    public void WithoutDocumentRootTheMainServerServesApachesCompiledInOneAndAVirtualHostInheritsIt()
    {
        // Apache 2.4 as Debian builds it, checked side by side: "/" is /var/www/html/index.html
        // and the app's DOCUMENT_ROOT is /var/www/html.
        var config = SiteText.Config("Listen 80\n<VirtualHost *:80>\n  ServerName a.test\n</VirtualHost>");

        Assert.Equal("/var/www/html", config.MainServer.DocumentRoot);
        Assert.Null(config.VirtualHosts[0].DocumentRoot);
        var mapper = WsgiHost.Routing.UrlMapper.ForScope(config.VirtualHosts[0], config.MainServer);
        Assert.Equal("/var/www/html/index.html", mapper.Map("/index.html")!.FilePath);
    }

    /// <summary>PidFile is taken (apache2ctl, systemd and logrotate read it), relative to ServerRoot as in Apache.</summary>
    [Fact]
    public void PidFileIsWhereTheServerWritesItsPid()
    {
        using var folder = new WsgiHost.Tests.Configuration.Syntax.TempConfigFolder();
        string root = folder.Root;
        Directory.CreateDirectory(Path.Combine(root, "run"));
        Assert.Equal(Path.Combine(root, "run/apache2.pid"), SiteText.Clean($"ServerRoot {root}\nListen 80\nPidFile run/apache2.pid").PidFile);
        Assert.Equal("/tmp/apache2.pid", SiteText.Clean("Listen 80\nPidFile /tmp/apache2.pid").PidFile);
        Assert.Null(SiteText.Clean("Listen 80").PidFile);
    }

    /// <summary>QA: these passed check, and run then refused to start.</summary>
    [Theory]
    [InlineData("PidFile /nonexistent-wsgihost/run/apache2.pid", "PidFile", "the folder of the pid file /nonexistent-wsgihost/run/apache2.pid does not exist")]
    [InlineData("PidFile /tmp", "PidFile", "/tmp is a folder, not a pid file")]
    [InlineData("ErrorLog /tmp", "ErrorLog", "/tmp is a folder, not a log file")]
    [InlineData("CustomLog /tmp combined", "CustomLog", "/tmp is a folder, not a log file")]
    public void APidOrLogFileThatCannotBeWrittenIsAnError(string line, string directive, string message)
    {
        var error = SiteText.Error($"Listen 80\n{line}");

        error.At(2, directive);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void AliasAndAliasMatchKeepFileOrderAndTheirKind()
    {
        var config = SiteText.Clean("""
            Listen 80
            Alias /static/ /srv/static/
            AliasMatch ^/media/(.*)\.png$ /srv/png/$1.png
            AliasMatch ^/robots\.txt$ /srv/robots.txt
            Alias /favicon.ico /srv/favicon.ico
            """);

        var aliases = config.MainServer.Aliases;
        Assert.Equal(["/static/", "^/media/(.*)\\.png$", "^/robots\\.txt$", "/favicon.ico"], aliases.Select(a => a.UrlPattern));
        Assert.Equal([false, true, true, false], aliases.Select(a => a.IsRegex));
        Assert.Equal(["/srv/static/", "/srv/png/$1.png", "/srv/robots.txt", "/srv/favicon.ico"], aliases.Select(a => a.Target));
        Assert.Equal([2, 3, 4, 5], aliases.Select(a => a.Location.Line));
        Assert.Equal(["Alias", "AliasMatch", "AliasMatch", "Alias"], aliases.Select(a => a.DirectiveName));
    }

    [Fact]
    public void AnAliasUrlMustStartWithASlash()
    {
        var error = SiteText.Error("Listen 80\nAlias static/ /srv/static/");

        error.At(2, "Alias");
        Assert.Equal("the URL path 'static/' must start with '/'", error.Message);
        Assert.Equal("Alias /static/ /srv/static/", error.Fix);
    }

    [Fact]
    public void AnAliasMatchRegexMustCompile()
    {
        var error = SiteText.Error("Listen 80\nAliasMatch ^/(unclosed /srv/x");

        error.At(2, "AliasMatch", hasFix: false);
        Assert.StartsWith("'^/(unclosed' is not a valid regular expression", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Alias /static", "Alias", "takes 2 argument(s), got 1", "Alias URL-path file-or-directory")]
    [InlineData("Alias /a /b /c", "Alias", "takes 2 argument(s), got 3", "Alias URL-path file-or-directory")]
    [InlineData("ServerName", "ServerName", "takes 1 argument(s), got 0", "ServerName [scheme://]host[:port]")]
    [InlineData("Listen 80 http extra", "Listen", "takes 1 to 2 arguments, got 3", "Listen [IP-address:]port [protocol]")]
    [InlineData("UnsetEnv", "UnsetEnv", "takes at least 1 argument(s), got 0", "UnsetEnv VAR [VAR] ...")]
    [InlineData("SetEnv A b c", "SetEnv", "takes 1 to 2 arguments, got 3", "SetEnv VAR [value]")]
    [InlineData("UseCanonicalName DNS", "UseCanonicalName", "UseCanonicalName DNS is not supported (a reverse DNS lookup of the server's address for every request)", "UseCanonicalName On with the name in ServerName, or Off")]
    [InlineData("WSGIDaemonProcess", "WSGIDaemonProcess", "takes at least 1 argument(s), got 0", "WSGIDaemonProcess name [option=value ...]")]
    [InlineData("SSLRequireSSL", "SSLRequireSSL", "not allowed outside a <VirtualHost> (in the main server)", "put SSLRequireSSL inside <Location /> or <Directory ...>")]
    public void WrongArgumentCountsAndPlaces(string line, string directive, string message, string fix)
    {
        var error = SiteText.Error($"Listen 81\n{line}");

        error.At(2, directive);
        Assert.Equal(message, error.Message);
        Assert.Equal(fix, error.Fix);
    }

    [Fact]
    public void AWrongArgumentCountInsideASectionIsAnError()
    {
        var error = SiteText.Error("Listen 81\n<Location />\n  SSLRequireSSL now\n</Location>");

        error.At(3, "SSLRequireSSL");
        Assert.Equal("takes 0 argument(s), got 1", error.Message);
    }

    [Fact]
    public void SetEnvAndUnsetEnvAreKeptInOrderPerScopeAndSection()
    {
        var config = SiteText.Clean("""
            Listen 80
            SetEnv A 1
            SetEnv EMPTY
            <VirtualHost *:80>
              UnsetEnv A B
              SetEnv C 3
              <Location /x>
                SetEnv A x
              </Location>
            </VirtualHost>
            """);

        Assert.Equal([new("A", "1"), new("EMPTY", "")], config.MainServer.Defaults.SetEnv);
        Assert.Equal([new("A", null), new("B", null), new("C", "3")], config.VirtualHosts[0].Defaults.SetEnv);
        var location = Assert.Single(config.VirtualHosts[0].Sections);
        Assert.Equal([new("A", "x")], location.Payload.Settings.SetEnv);
        var merged = config.MainServer.Defaults.Merge(config.VirtualHosts[0].Defaults).Merge(location.Payload.Settings);
        Assert.Equal([new("EMPTY", ""), new("C", "3"), new("A", "x")], merged.EffectiveEnvironment());
    }

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("1048576", 1048576L)]
    [InlineData("2147483647", 2147483647L)]
    public void LimitRequestBodyInBounds(string value, long bytes)
    {
        var config = SiteText.Clean($"Listen 80\n<Location /upload>\n  LimitRequestBody {value}\n</Location>");

        Assert.Equal(bytes, config.MainServer.Sections[0].Payload.Settings.LimitRequestBody);
    }

    [Theory]
    [InlineData("2147483648")]
    [InlineData("-1")]
    [InlineData("10M")]
    public void LimitRequestBodyOutOfBoundsIsAnError(string value)
    {
        var error = SiteText.Error($"Listen 80\nLimitRequestBody {value}");

        error.At(2, "LimitRequestBody", hasFix: false);
        Assert.Equal($"LimitRequestBody must be a whole number from 0 to 2147483647, got '{value}'", error.Message);
    }

    [Fact]
    public void ConnectionSettings()
    {
        var config = SiteText.Config("Listen 80\nTimeout 30\nKeepAliveTimeout 2\nThreadsPerChild 25\nGracefulShutdownTimeout 0");

        Assert.Equal(30, config.TimeoutSeconds);
        Assert.Equal(2, config.KeepAliveTimeoutSeconds);
        Assert.Equal(25, config.Threads);
        Assert.Equal(0, config.GracefulShutdownTimeoutSeconds);
        Assert.Equal(10, SiteText.Config("Listen 80").GracefulShutdownTimeoutSeconds);
        Assert.Equal(15, SiteText.Config("Listen 80").Threads);
        Assert.Equal(0, SiteText.Config("Listen 80\nKeepAlive Off\nKeepAliveTimeout 2").KeepAliveTimeoutSeconds);
        var note = Assert.Single(SiteText.Notes("Listen 80\nThreadsPerChild 25"));
        note.At(2, "ThreadsPerChild", hasFix: false);
    }

    [Theory]
    [InlineData("Timeout 0", "Timeout", "Timeout must be a whole number from 1 to 86400, got '0'")]
    [InlineData("KeepAliveTimeout x", "KeepAliveTimeout", "KeepAliveTimeout must be a whole number from 0 to 86400, got 'x'")]
    [InlineData("ThreadsPerChild 2000", "ThreadsPerChild", "ThreadsPerChild must be a whole number from 1 to 1024, got '2000'")]
    [InlineData("GracefulShutdownTimeout -1", "GracefulShutdownTimeout", "GracefulShutdownTimeout must be a whole number from 0 to 86400, got '-1'")]
    public void ConnectionSettingsOutOfBounds(string line, string directive, string message)
    {
        var error = SiteText.Error($"Listen 80\n{line}");

        error.At(2, directive, hasFix: false);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void AFlagMustBeOnOrOff()
    {
        var error = SiteText.Error("Listen 80\nKeepAlive yes");

        error.At(2, "KeepAlive");
        Assert.Equal("must be On or Off, got 'yes'", error.Message);
        Assert.Equal("KeepAlive On  or  KeepAlive Off", error.Fix);
    }

    [Fact]
    public void OptionsAllowOverrideAndDirectoryIndex()
    {
        var notes = SiteText.Notes("Listen 80\n<Directory /srv>\n  Options +FollowSymLinks -MultiViews\n  AllowOverride None\n  DirectoryIndex index.html\n</Directory>");
        Assert.Single(notes).At(3, "Options", hasFix: false);

        SiteText.Warning("Listen 80\n<Directory /srv>\n  Options +Indexes\n</Directory>").At(3, "Options");
        SiteText.Warning("Listen 80\n<Directory /srv>\n  AllowOverride All\n</Directory>").At(3, "AllowOverride");
        var redirect = SiteText.Warning("Listen 80\nDirectoryIndex index.html /app/");
        redirect.At(2, "DirectoryIndex");
        Assert.StartsWith("'/app/': an index that is a URL path (an internal redirect) is not served", redirect.Message);
        SiteText.Error("Listen 80\nDirectoryIndex disabled index.html").At(2, "DirectoryIndex");

        var error = SiteText.Error("Listen 80\nOptions FollowSymlinks Bogus");
        error.At(2, "Options");
        Assert.Equal("unknown option 'Bogus'", error.Message);
    }

    [Fact]
    public void UserAndGroupAreTheServersAndNameWhatDaemonWorkersRunAs()
    {
        var config = SiteText.Config("Listen 80\nUser www-data\nGroup #33");
        var note = SiteText.Notes("Listen 80\nUser www-data")[0];

        Assert.Equal(("www-data", "#33"), (config.User, config.Group));
        note.At(2, "User", hasFix: false);
        Assert.Equal("started as root, the server becomes user www-data once its ports are bound and its logs open, and daemon workers without user= run as www-data, as under Apache and mod_wsgi", note.Message);
        SiteText.Error("Listen 80\n<VirtualHost *:80>\nUser www-data\n</VirtualHost>").At(3, "User");
        SiteText.Error("Listen 80\nGroup \"www data\"").At(2, "Group");
        Assert.Null(SiteText.Config("Listen 80").User);
    }

    [Fact]
    public void AllowOverrideOnlyInSections()
    {
        var error = SiteText.Error("Listen 80\nAllowOverride None");

        error.At(2, "AllowOverride");
        Assert.Equal("put AllowOverride inside <Location /> or <Directory ...>", error.Fix);
    }

    [Fact]
    public void FilesNestedInDirectoryIsAccepted()
    {
        var config = SiteText.Clean("""
            Listen 80
            <Directory /srv/app>
              <Files app.wsgi>
                Require all granted
              </Files>
            </Directory>
            """);

        var sections = config.MainServer.Sections;
        Assert.Equal(2, sections.Count);
        var files = sections.Single(s => s.Kind == SectionKind.Files);
        Assert.Equal("app.wsgi", files.Pattern);
        Assert.NotNull(files.Within);
        Assert.NotNull(files.Payload.Access);
        Assert.Equal(3, files.Location.Line);
    }

    [Fact]
    public void LocationInsideLocationIsRefused()
    {
        var error = SiteText.Error("Listen 80\n<Location /a>\n  <Location /a/b>\n  </Location>\n</Location>");

        error.At(3, "<Location>");
        Assert.Equal("<Location> cannot be nested here", error.Message);
        Assert.Equal("close the enclosing section first", error.Fix);
    }

    [Fact]
    public void FilesInsideLocationIsRefused()
    {
        var error = SiteText.Error("Listen 80\n<Location /a>\n  <Files x>\n  </Files>\n</Location>");

        error.At(3, "<Files>");
        Assert.Equal("put <Files> directly in the server, a <VirtualHost> or a <Directory>", error.Fix);
    }

    [Fact]
    public void LimitIsRefused()
    {
        var error = SiteText.Error("Listen 80\n<Location /a>\n  <Limit POST>\n    Require all denied\n  </Limit>\n</Location>");

        Assert.Equal(3, error.Location.Line);
        Assert.Equal("<Limit>", error.Directive);
        Assert.False(string.IsNullOrEmpty(error.Fix));
    }

    [Fact]
    public void AnUnknownSectionIsAnErrorWithASuggestion()
    {
        var error = SiteText.Error("Listen 80\n<Locaton /a>\n</Locaton>");

        error.At(2, "<Locaton>");
        Assert.Equal("unknown section <Locaton>", error.Message);
        Assert.Equal("did you mean <Location>?", error.Fix);
    }

    /// <summary>Apache 2.4's expression sections are known, and not to be dropped without their condition.</summary>
    [Fact]
    public void AnIfSectionIsNamedAsApachesAndNotToBeRemoved()
    {
        var error = SiteText.Error("Listen 80\n<If \"%{HTTP_HOST} == 'a.example'\">\n  Header set X-A 1\n</If>");

        error.At(2, "<If>");
        Assert.Equal("<If> (Apache's per-request expressions) is not supported", error.Message);
        Assert.Contains("do not remove the section without its condition", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void AllowEncodedSlashesIsPerVirtualHostAndAHostWithoutItLeavesItToTheMainServer()
    {
        var config = SiteText.Clean("""
            Listen 80
            AllowEncodedSlashes nodecode
            <VirtualHost *:80>
                ServerName api.example
                AllowEncodedSlashes On
            </VirtualHost>
            <VirtualHost *:80>
                ServerName www.example
            </VirtualHost>
            """);

        Assert.Equal(EncodedSlashes.NoDecode, config.MainServer.EncodedSlashes);
        Assert.Equal(EncodedSlashes.On, config.VirtualHosts[0].EncodedSlashes);
        Assert.Null(config.VirtualHosts[1].EncodedSlashes);
    }

    [Fact]
    public void AnAllowEncodedSlashesValueApacheDoesNotKnowIsAnError()
    {
        var error = SiteText.Error("Listen 80\nAllowEncodedSlashes Decode");

        error.At(2, "AllowEncodedSlashes");
        Assert.Equal("'Decode' is not On, Off or NoDecode", error.Message);
    }

    [Fact]
    public void AcceptPathInfoOffHoldsInItsSectionAndDefaultAcceptsAsModWsgiDoes()
    {
        var config = SiteText.Clean("Listen 80\nAcceptPathInfo Default\n<Location /strict>\nAcceptPathInfo Off\n</Location>");

        Assert.Equal(true, config.MainServer.Defaults.AcceptPathInfo);
        Assert.Equal(false, Assert.Single(config.MainServer.Sections).Payload.Settings.AcceptPathInfo);
        SiteText.Error("Listen 80\nAcceptPathInfo Maybe").At(2, "AcceptPathInfo");
    }

    [Fact]
    public void WSGIPythonOptimizeTakesPythonsLevels()
    {
        Assert.Equal(2, SiteText.Clean("Listen 80\nWSGIPythonOptimize 2").Python.Optimize);
        Assert.Equal(0, SiteText.Clean("Listen 80").Python.Optimize);
        SiteText.Error("Listen 80\nWSGIPythonOptimize 3").At(2, "WSGIPythonOptimize", hasFix: false);
    }

    [Fact]
    public void EveryErrorIsCollected()
    {
        var errors = SiteText.Errors("""
            Listen 80 gopher
            ServerAlias a.example
            Alias static /srv
            WSGIScriptAlais / /srv/app.wsgi
            """);

        Assert.Equal([1, 2, 3, 4], errors.Select(e => e.Location.Line));
    }
}
