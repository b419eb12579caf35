using WsgiHost.Configuration.Lints;
using WsgiHost.Configuration.Syntax;
using WsgiHost.Tests.Configuration.Directives;
using WsgiHost.Tests.Configuration.Syntax;

namespace WsgiHost.Tests.Configuration.Lints;

/// <summary>Each lint of `wsgihost check` fires on a config showing its problem and is silent once it is fixed.</summary>
public sealed class SiteLintTests : IDisposable
{
    private readonly TempConfigFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    internal static IReadOnlyList<ConfigDiagnostic> Lint(string text) => SiteLints.Run(SiteText.Config(text), processorCount: 2);

    internal static ConfigDiagnostic Single(string text)
    {
        var found = Lint(text);
        Assert.True(found.Count == 1, string.Join("\n", found));
        Assert.Equal(DiagnosticSeverity.Warning, found[0].Severity);
        return found[0];
    }

    internal static void Silent(string text)
    {
        var found = Lint(text);
        Assert.True(found.Count == 0, string.Join("\n", found));
    }

    [Fact]
    public void AShadowedScriptAliasNamesBothLines()
    {
        var warning = Single("Listen 80\nWSGIScriptAlias / /srv/root.wsgi\nWSGIScriptAlias /suburl /srv/sub.wsgi");

        warning.At(3, "WSGIScriptAlias");
        Assert.Contains("'/suburl' is never reached", warning.Message, StringComparison.Ordinal);
        Assert.Contains("site.conf:2", warning.Message, StringComparison.Ordinal);

        Silent("Listen 80\nWSGIScriptAlias /suburl /srv/sub.wsgi\nWSGIScriptAlias / /srv/root.wsgi");
        Silent("Listen 80\nWSGIScriptAlias /app /srv/root.wsgi\nWSGIScriptAlias /application /srv/sub.wsgi");
    }

    [Fact]
    public void AShadowedScriptAliasInAVirtualHost()
    {
        var warning = Single("Listen 80\n<VirtualHost *:80>\n  WSGIScriptAlias /app /srv/app.wsgi\n  WSGIScriptAlias /app/api /srv/api.wsgi\n</VirtualHost>");

        warning.At(4, "WSGIScriptAlias");
        Assert.Contains("site.conf:3", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnAliasShadowedByAnEarlierOneNamesBothLines()
    {
        // Apache warns of it at startup (AH00671): /static/admin/x.css is served from /srv/static.
        var warning = Single("Listen 80\nAlias /static/ /srv/static/\nAlias /static/admin/ /srv/admin-static/");

        warning.At(3, "Alias");
        Assert.Equal("'/static/admin/' is never reached: the Alias '/static/' at site.conf:2 is tried first and matches every URL under it", warning.Message);
        Assert.Equal("move the Alias for '/static/admin/' above the one for '/static/'", warning.Fix);

        Silent("Listen 80\nAlias /static/admin/ /srv/admin-static/\nAlias /static/ /srv/static/");
        Silent("Listen 80\nAlias /media /srv/media\nAlias /media-thumbs /srv/thumbs");
    }

    [Fact]
    public void ShadowedScriptAliasesAreThoseAnEarlierOneMatchesLikeApache()
    {
        // Random mounts with slash runs, trailing slashes and shared prefixes: the lint names,
        // for each, the first earlier mount mod_alias's own prefix test (AliasMatcher) matches.
        var random = new Random(7);
        string[] parts = ["a", "ab", "b", "/", "//"];
        for (int round = 0; round < 200; round++)
        {
            var mounts = new List<string>();
            for (int i = 0; i < 8; i++)
            {
                string url = "/" + string.Concat(Enumerable.Range(0, random.Next(0, 4)).Select(_ => parts[random.Next(parts.Length)]));
                mounts.Add(url);
            }
            string text = "Listen 80\n" + string.Concat(mounts.Select((m, i) => $"WSGIScriptAlias {m} /srv/app{i}.wsgi\n"));

            var expected = new List<string>();
            for (int later = 0; later < mounts.Count; later++)
            {
                int earlier = Enumerable.Range(0, later).FirstOrDefault(e => WsgiHost.Routing.AliasMatcher.Match(mounts[e], mounts[later]) >= 0, -1);
                if (earlier >= 0)
                {
                    expected.Add($"{later + 2}: site.conf:{earlier + 2}");
                }
            }
            var actual = Lint(text).Where(d => d.Message.Contains("is never reached", StringComparison.Ordinal))
                .Select(d => $"{d.Location.Line}: {System.Text.RegularExpressions.Regex.Match(d.Message, @"site\.conf:\d+").Value}");

            Assert.True(expected.SequenceEqual(actual), $"{text}\nexpected {string.Join(", ", expected)}\ngot {string.Join(", ", actual)}");
        }
    }

    /// <summary>Alias /static/ /srv/static: Apache's documented trap (it maps to /srv/staticname); WsgiHost is lenient, check says so.</summary>
    [Fact]
    public void AnAliasWithASlashOnTheUrlOnly()
    {
        var warning = Single("Listen 80\nAlias /static/ /srv/static");
        warning.At(2, "Alias");
        Assert.Equal("'/static/' ends with a slash and '/srv/static' does not: Apache maps /static/name to /srv/staticname (so it finds no file), where WsgiHost serves /srv/static/name", warning.Message);

        Silent("Listen 80\nAlias /static/ /srv/static/");
        Silent("Listen 80\nAlias /static /srv/static");
        Silent("Listen 80\nAlias /robots.txt /srv/robots.txt");
    }

    [Fact]
    public void AnAliasHidingAScriptAlias()
    {
        var warning = Single("Listen 80\nWSGIScriptAlias /app/api /srv/api.wsgi\nAlias /app /srv/app-static");

        warning.At(3, "Alias");
        Assert.Contains("'/app' hides the WSGI application at '/app/api' (site.conf:2)", warning.Message, StringComparison.Ordinal);

        Silent("Listen 80\nWSGIScriptAlias /app /srv/api.wsgi\nAlias /static/ /srv/app-static/");
        Silent("Listen 80\nWSGIScriptAlias /app /srv/api.wsgi\nAlias /app-static /srv/app-static");
    }

    [Fact]
    public void AScriptInsideTheDocumentRootIsServedAsAFile()
    {
        var warning = Single("Listen 80\nDocumentRoot /var/www/html\nWSGIScriptAlias /app /var/www/html/site/app.wsgi");

        warning.At(3, "WSGIScriptAlias");
        Assert.Contains("the URL '/site/app.wsgi' serves its source as a static file", warning.Message, StringComparison.Ordinal);
        Assert.Contains("<Files app.wsgi> Require all denied </Files>", warning.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void AScriptInsideTheDocumentRootThatTheAppItselfCoversIsNotServed()
    {
        // WSGIScriptAlias / takes every URL: no request reaches the DocumentRoot.
        Silent("Listen 80\nDocumentRoot /var/www/html\nWSGIScriptAlias / /var/www/html/app.wsgi");
        Silent("Listen 80\nDocumentRoot /var/www/html\nWSGIScriptAlias /app /srv/app/app.wsgi");
    }

    [Fact]
    public void AnUnusedDaemonGroup()
    {
        var warning = Single("Listen 80\nWSGIDaemonProcess site\nWSGIScriptAlias / /srv/app.wsgi");

        warning.At(2, "WSGIDaemonProcess");
        Assert.StartsWith("nothing delegates to the daemon group 'site'", warning.Message, StringComparison.Ordinal);

        Silent("Listen 80\nWSGIDaemonProcess site\nWSGIScriptAlias / /srv/app.wsgi process-group=site");
        Silent("Listen 80\nWSGIDaemonProcess site\nWSGIScriptAlias / /srv/app.wsgi\n<Directory /srv>\n  WSGIProcessGroup site\n</Directory>");
        // A group chosen per request may be any of them.
        Silent("Listen 80\nWSGIDaemonProcess site\nWSGIScriptAlias / /srv/app.wsgi\nWSGIProcessGroup %{ENV:GROUP}");
    }

    [Fact]
    public void ADaemonGroupAsAnotherUserKeepsTheServerRoot()
    {
        string app = _folder.Write("site/app.wsgi", "def application(environ, start_response):\n    pass\n");

        var found = Lint($"Listen 80\nUser www-data\nGroup www-data\nWSGIDaemonProcess d user=nobody\nWSGIScriptAlias /d {app} process-group=d\nWSGIScriptAlias / {app}");

        Assert.Equal(2, found.Count);
        found[0].At(4, "WSGIDaemonProcess");
        Assert.Equal("daemon group 'd' runs as user=nobody, not as User www-data: a server started as root stays root to start it, so it parses requests as root, where Apache's children run as www-data", found[0].Message);
        Assert.Equal("give daemon group 'd' the server's User and Group (or no user=/group=): the server then becomes www-data once started", found[0].Fix);
        found[1].At(6, "WSGIScriptAlias");
        Assert.Equal($"{app} runs embedded, in a server that stays root (for daemon group 'd', user=nobody), where Apache runs it as User www-data", found[1].Message);
        // The group runs as User and Group (no user=, or the same names): the server becomes User.
        Silent($"Listen 80\nUser www-data\nGroup www-data\nWSGIDaemonProcess d\nWSGIScriptAlias /d {app} process-group=d\nWSGIScriptAlias / {app}");
        Silent($"Listen 80\nUser www-data\nGroup www-data\nWSGIDaemonProcess d user=www-data group=www-data\nWSGIScriptAlias / {app} process-group=d");
        Silent($"Listen 80\nWSGIDaemonProcess d user=nobody\nWSGIScriptAlias / {app} process-group=d");
        // user= alone runs as that user's own group, which here (Debian's www-data) is Group.
        Silent($"Listen 80\nUser www-data\nGroup www-data\nWSGIDaemonProcess d user=www-data\nWSGIScriptAlias / {app} process-group=d");
    }

    [Fact]
    public void TwoAppsInOneProcessCallingSetdefault()
    {
        string a = _folder.Write("a/a.wsgi", "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'a.settings')\n");
        string b = _folder.Write("b/b.wsgi", "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'b.settings')\n");

        // One interpreter (%{GLOBAL}) for both: the first loaded wins, here as under mod_wsgi.
        var found = Lint($"Listen 80\nWSGIApplicationGroup %{{GLOBAL}}\nWSGIScriptAlias /a {a}\nWSGIScriptAlias /b {b}");
        Assert.Equal(2, found.Count);
        Assert.All(found, f => Assert.Equal(DiagnosticSeverity.Warning, f.Severity));
        // Both Django sites: b (the second) is told they share one Django; a, that its setdefault leaks.
        var setdefault = Assert.Single(found, f => f.Message.StartsWith($"{a} calls os.environ.setdefault and shares one interpreter (application group %{{GLOBAL}}) in the server process with {b}", StringComparison.Ordinal));
        setdefault.At(3, "WSGIScriptAlias");
        var django = Assert.Single(found, f => f.Message.StartsWith($"{b} and {a} both set DJANGO_SETTINGS_MODULE and share one interpreter", StringComparison.Ordinal));
        django.At(4, "WSGIScriptAlias");

        // Separate interpreters (Apache's default %{RESOURCE}): WsgiHost isolates os.environ,
        // mod_wsgi would not, so a note says so.
        var notes = Lint($"Listen 80\nWSGIScriptAlias /a {a}\nWSGIScriptAlias /b {b}");
        Assert.Equal(2, notes.Count);
        Assert.All(notes, n => Assert.Equal(DiagnosticSeverity.Note, n.Severity));
        Assert.Contains("under Apache + mod_wsgi this leaks", notes[0].Message, StringComparison.Ordinal);

        // In one daemon group and one named application group the same applies.
        var daemon = Lint($"Listen 80\nWSGIDaemonProcess both\nWSGIProcessGroup both\nWSGIApplicationGroup shared\nWSGIScriptAlias /a {a}\nWSGIScriptAlias /b {b}");
        Assert.Equal(2, daemon.Count);
        Assert.Contains("in the daemon group 'both'", daemon[0].Message, StringComparison.Ordinal);

        // Fixed: one process group each.
        Silent($"Listen 80\nWSGIDaemonProcess a\nWSGIDaemonProcess b\nWSGIScriptAlias /a {a} process-group=a\nWSGIScriptAlias /b {b} process-group=b");
        // A commented-out call is no call.
        string c = _folder.Write("c/c.wsgi", "import os\n# os.environ.setdefault('X', 'y')\nos.environ['X'] = 'c'\n");
        Silent($"Listen 80\nWSGIScriptAlias /a {c}\nWSGIScriptAlias /b {_folder.Write("d/d.wsgi", "")}");
    }

    /// <summary>Two Django sites in one interpreter collide however they set DJANGO_SETTINGS_MODULE: Django sets itself up once.</summary>
    [Fact]
    public void TwoDjangoSitesInOneInterpreterEvenWithoutSetdefault()
    {
        string a = _folder.Write("a/wsgi.py", "import os\nos.environ['DJANGO_SETTINGS_MODULE'] = 'a.settings'\n");
        string b = _folder.Write("b/wsgi.py", "import os\nos.environ[\"DJANGO_SETTINGS_MODULE\"] = \"b.settings\"\n");

        var found = Single($"Listen 80\nWSGIApplicationGroup %{{GLOBAL}}\nWSGIScriptAlias /a {a}\nWSGIScriptAlias /b {b}");
        found.At(4, "WSGIScriptAlias");
        Assert.Equal(DiagnosticSeverity.Warning, found.Severity);
        Assert.StartsWith($"{b} and {a} both set DJANGO_SETTINGS_MODULE and share one interpreter (application group %{{GLOBAL}}) in the server process", found.Message, StringComparison.Ordinal);
        Assert.StartsWith("give each Django site its own WSGIApplicationGroup", found.Fix, StringComparison.Ordinal);
        // Their own interpreters (Apache's default %{RESOURCE}): nothing to say.
        Silent($"Listen 80\nWSGIScriptAlias /a {a}\nWSGIScriptAlias /b {b}");
    }

    [Fact]
    public void LocationAccessOnAWsgiMount()
    {
        var warning = Single("""
            Listen 80
            WSGIScriptAlias /app /srv/app/app.wsgi
            <Location /app>
              Require ip 10.0.0.0/8
            </Location>
            """);

        warning.At(3, "<Location>");
        Assert.Contains("/srv/app/app.wsgi", warning.Message, StringComparison.Ordinal);
        Assert.Contains("<Directory /srv/app>", warning.Fix, StringComparison.Ordinal);

        Silent("""
            Listen 80
            WSGIScriptAlias /app /srv/app/app.wsgi
            <Directory /srv/app>
              Require ip 10.0.0.0/8
            </Directory>
            """);
        // A Location without access rules is fine.
        Silent("Listen 80\nWSGIScriptAlias /app /srv/app/app.wsgi\n<Location /app>\n  SetEnv A b\n</Location>");
    }

    [Fact]
    public void LocationAccessInsideAMountAnotherVirtualHostSkips()
    {
        var warning = Single("""
            Listen 80
            <VirtualHost *:80>
            </VirtualHost>
            <VirtualHost *:80>
              ServerName a.example
              ServerAlias www.a.example
              WSGIScriptAlias / /srv/app/app.wsgi
              <Location /admin>
                Require ip 10.0.0.0/8
              </Location>
            </VirtualHost>
            <VirtualHost *:80>
              ServerName b.example
              ServerAlias www.b.example
              WSGIScriptAlias / /srv/app/app.wsgi
            </VirtualHost>
            """);

        warning.At(8, "<Location>");
        Assert.Contains("without this rule", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AHostNameFallingThroughToTheFirstVirtualHost()
    {
        const string Hosts = """
            Listen 80
            <VirtualHost *:80>
              DocumentRoot /var/www/html
            </VirtualHost>
            <VirtualHost *:80>
              ServerName www.example.com
            {0}
            </VirtualHost>
            """;

        var warning = Single(string.Format(System.Globalization.CultureInfo.InvariantCulture, Hosts, ""));
        warning.At(5, "ServerName");
        Assert.StartsWith("requests for example.com fall through to the first virtual host of *:80 (site.conf:2)", warning.Message, StringComparison.Ordinal);
        Assert.Equal("add ServerAlias example.com to this virtual host if it is the same site", warning.Fix);

        Silent(string.Format(System.Globalization.CultureInfo.InvariantCulture, Hosts, "  ServerAlias example.com"));
    }

    /// <summary>
    /// The first virtual host of an address serves every name none claims (requests by IP, stray
    /// DNS names): a named site listed first by file order gets them; a default one without a
    /// name (Debian's 000-default.conf) is meant to, and is not warned about.
    /// </summary>
    [Fact]
    public void UnclaimedNamesGoToTheFirstVirtualHost()
    {
        var warning = Single("""
            Listen 80
            <VirtualHost *:80>
              ServerName intranet.example.com
            </VirtualHost>
            <VirtualHost *:80>
              ServerName www.example.com
              ServerAlias example.com
            </VirtualHost>
            """);
        warning.At(2, "<VirtualHost>");
        Assert.Equal("requests for a name no virtual host of *:80 claims (by IP address, a stray DNS name) are served by this one, intranet.example.com, because it is listed first", warning.Message);

        Silent("""
            Listen 80
            <VirtualHost *:80>
              DocumentRoot /var/www/html
            </VirtualHost>
            <VirtualHost *:80>
              ServerName intranet.example.com
              ServerAlias www.intranet.example.com
            </VirtualHost>
            <VirtualHost *:80>
              ServerName www.example.com
              ServerAlias example.com
            </VirtualHost>
            """);
    }

    /// <summary>A * virtual host beside one with the exact address: connections to that address never reach it (Apache tries the exact address first).</summary>
    [Fact]
    public void AWildcardVirtualHostBesideAnExactAddressOne()
    {
        const string Hosts = """
            Listen {0}:80
            <VirtualHost 127.0.0.1:80>
              ServerName a.example
            </VirtualHost>
            <VirtualHost *:80>
              ServerName b.example
            </VirtualHost>
            """;
        var unreachable = Single(string.Format(System.Globalization.CultureInfo.InvariantCulture, Hosts, "127.0.0.1"));
        unreachable.At(5, "<VirtualHost>");
        Assert.Equal("requests to 127.0.0.1:80 never reach this virtual host (b.example): the virtual host at site.conf:2 lists that address, and Apache tries the exact address before *, whatever name is asked for; every Listen of port 80 is on such an address, so this virtual host is never reached", unreachable.Message);
        Assert.Equal("write the same address form in both (both *:80, or both 127.0.0.1:80)", unreachable.Fix);

        var partly = Single("Listen 80\n<VirtualHost 127.0.0.1:80>\n  ServerName a.example\n</VirtualHost>\n<VirtualHost *:80>\n  ServerName b.example\n</VirtualHost>");
        Assert.DoesNotContain("is never reached", partly.Message, StringComparison.Ordinal);
        Silent("Listen 80\n<VirtualHost *:80>\n</VirtualHost>\n<VirtualHost *:80>\n  ServerName b.example\n  ServerAlias www.b.example\n</VirtualHost>");
    }

    /// <summary>A mount whose script's folder grants no client answers only 403: check says so, with the section to grant it in.</summary>
    [Fact]
    public void AMountNoClientCanReach()
    {
        string app = _folder.Write("site/app.wsgi", "");
        string folder = Path.GetDirectoryName(app)!;
        var warning = Single($"Listen 80\n<Directory />\n  Require all denied\n</Directory>\nWSGIScriptAlias /app {app}");
        warning.At(5, "WSGIScriptAlias");
        Assert.Equal($"every request for '/app' is denied (403): the access rules that apply to {app} grant no client", warning.Message);
        Assert.StartsWith($"grant it where the script is: <Directory {folder}> Require all granted", warning.Fix, StringComparison.Ordinal);

        Silent($"Listen 80\n<Directory />\n  Require all denied\n</Directory>\n<Directory {folder}>\n  Require all granted\n</Directory>\nWSGIScriptAlias /app {app}");
        Silent($"Listen 80\n<Directory />\n  Require all denied\n</Directory>\n<Directory {folder}>\n  Require ip 10.0.0.0/8\n</Directory>\nWSGIScriptAlias /app {app}");
        // Who a host name lets in, check cannot tell: nothing is said.
        Silent($"Listen 80\n<Directory />\n  Require all denied\n</Directory>\n<Directory {folder}>\n  Require host example.com\n</Directory>\nWSGIScriptAlias /app {app}");
        // A mount of the main server is served by the virtual host too, under its sections: a
        // grant written there lets the requests in (as a Django site's config often has it).
        Silent($"Listen 80\n<Directory />\n  Require all denied\n</Directory>\nWSGIScriptAlias /app {app}\n<VirtualHost *:80>\n  <Directory {folder}>\n    Require all granted\n  </Directory>\n</VirtualHost>");
        Single($"Listen 80\n<Directory />\n  Require all denied\n</Directory>\nWSGIScriptAlias /app {app}\n<VirtualHost *:80>\n  ServerName a.example\n</VirtualHost>").At(5, "WSGIScriptAlias");
    }

    /// <summary>A login in front of a mount is no denial; half-configured authentication answers only 500, and check says so.</summary>
    [Fact]
    public void AMountBehindALoginIsReachableAndHalfConfiguredAuthenticationIsAWarning()
    {
        string app = _folder.Write("site/app.wsgi", "");
        string users = _folder.Write("users", "alice:$apr1$x$y\n");

        string folder = Path.GetDirectoryName(app)!;
        Silent($"Listen 80\nWSGIScriptAlias /app {app}\n<Directory {folder}>\n  AuthType Basic\n  AuthName Staff\n  AuthUserFile {users}\n  Require valid-user\n</Directory>");
        var warning = Single($"Listen 80\nWSGIScriptAlias /app {app}\n<Directory {folder}>\n  AuthType Basic\n  AuthUserFile {users}\n  Require valid-user\n</Directory>");
        warning.At(2, "WSGIScriptAlias");
        Assert.StartsWith("every request for '/app' fails (500): AH01615: need AuthName", warning.Message, StringComparison.Ordinal);
    }

    /// <summary>mod_wsgi's hooks set up so that no login can succeed: check names the line.</summary>
    [Fact]
    public void AuthScriptsThatCannotRunAreWarnedOf()
    {
        string app = _folder.Write("site/wsgi.py", "def check_password(environ, user, password):\n    return None\n");
        string folder = Path.GetDirectoryName(app)!;
        string Login(string lines) => $"Listen 80\nWSGIScriptAlias /app {app}\n<Directory {folder}>\n  AuthType Basic\n  AuthName Staff\n  AuthBasicProvider wsgi\n{lines}\n</Directory>";

        Silent(Login($"  WSGIAuthUserScript {app}\n  Require valid-user"));
        Silent(Login($"  WSGIAuthUserScript {app}\n  WSGIAuthGroupScript {app}\n  Require wsgi-group staff"));

        var missing = Single(Login($"  WSGIAuthUserScript {folder}/wgsi.py\n  Require valid-user"));
        missing.At(7, "WSGIAuthUserScript");
        Assert.Equal($"'{folder}/wgsi.py' does not exist: every request it should check fails (500)", missing.Message);

        var noScript = Single(Login("  Require valid-user"));
        noScript.At(2, "WSGIScriptAlias");
        Assert.Equal("every login for '/app' fails (500): AuthBasicProvider wsgi applies there, and no WSGIAuthUserScript does", noScript.Message);

        var noGroups = Single(Login($"  WSGIAuthUserScript {app}\n  Require wsgi-group staff"));
        noGroups.At(2, "WSGIScriptAlias");
        Assert.StartsWith("Require wsgi-group admits nobody to '/app'", noGroups.Message, StringComparison.Ordinal);

        // Django's docs' recipe, written for Apache 2.2.
        var djangoDocs = Single(Login($"  WSGIAuthUserScript {app}\n  WSGIAuthGroupScript {app}\n  Require group secret-agents"));
        Assert.StartsWith("Require group admits nobody to '/app': it reads an AuthGroupFile", djangoDocs.Message, StringComparison.Ordinal);
        Assert.StartsWith("write 'Require wsgi-group NAME'", djangoDocs.Fix, StringComparison.Ordinal);

        // The same recipe on a URL below the mount, as Django's docs show it (QA: check said nothing).
        var below = Single($"Listen 80\nWSGIScriptAlias / {app}\n<Directory {folder}>\n  Require all granted\n</Directory>\n<Location \"/secret\">\n  AuthType Basic\n  AuthName Staff\n"
            + $"  AuthBasicProvider wsgi\n  WSGIAuthUserScript {app}\n  WSGIAuthGroupScript {app}\n  Require group secret-agents\n</Location>");
        below.At(11, "WSGIAuthGroupScript");
        Assert.StartsWith("Require group in this section admits nobody", below.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ASiblingNameClaimedByAnotherVirtualHostDoesNotFallThrough()
    {
        Silent("""
            Listen 80
            <VirtualHost *:80>
              DocumentRoot /var/www/html
            </VirtualHost>
            <VirtualHost *:80>
              ServerName www.example.com
            </VirtualHost>
            <VirtualHost *:80>
              ServerName example.com
            </VirtualHost>
            """);
        Silent("""
            Listen 80
            <VirtualHost *:80>
              DocumentRoot /var/www/html
            </VirtualHost>
            <VirtualHost *:80>
              ServerName www.example.com
            </VirtualHost>
            <VirtualHost *:80>
              ServerName other.example
              ServerAlias www.other.example *.com
            </VirtualHost>
            """);
    }

    [Fact]
    public void APythonHomeThatIsNotAPythonPrefix()
    {
        string notPython = _folder.Write("venv/readme.txt", "");
        string home = Path.GetDirectoryName(notPython)!;

        var warning = Single($"Listen 80\nServerName a.example\nWSGIPythonHome {home}");
        warning.At(3, "WSGIPythonHome");
        Assert.Equal($"'{home}' is not a Python prefix or virtualenv: it has no pyvenv.cfg and no lib/python3.X folder", warning.Message);

        var daemon = Single($"Listen 80\nWSGIDaemonProcess site python-home={home}\nWSGIProcessGroup site");
        daemon.At(2, "WSGIDaemonProcess");

        Silent("Listen 80\nWSGIPythonHome /usr");
        _folder.Write("venv/pyvenv.cfg", "home = /usr/bin\n");
        Silent($"Listen 80\nWSGIPythonHome {home}");
    }

    [Fact]
    public void ProcessesTimesThreadsBeyondTheCores()
    {
        var warning = Single("Listen 80\nWSGIDaemonProcess site processes=3 threads=15\nWSGIProcessGroup site");

        warning.At(2, "WSGIDaemonProcess");
        Assert.Equal("'site' runs 3 process(es) x 15 thread(s) = 45 request threads on 2 CPU core(s)", warning.Message);

        Silent("Listen 80\nWSGIDaemonProcess site processes=2 threads=15\nWSGIProcessGroup site");
        Single("Listen 80\nWSGIDaemonProcess site processes=9 threads=1\nWSGIProcessGroup site").At(2, "WSGIDaemonProcess");
    }

    [Fact]
    public void MoreInterpretersThanCores()
    {
        var site = Single("Listen 80\nWSGIApplicationInterpreters 4");
        site.At(2, "WSGIApplicationInterpreters");
        Assert.Equal("each application runs in 4 interpreters on 2 CPU core(s): each holds its own copy of the application, and more than one per core adds memory, not throughput", site.Message);
        Assert.Equal("use at most 2 (threads= serve requests that wait on I/O)", site.Fix);

        var group = Single("Listen 80\nWSGIDaemonProcess site interpreters=3\nWSGIProcessGroup site");
        group.At(2, "WSGIDaemonProcess");
        Assert.StartsWith("'site' runs each application in 3 interpreters on 2 CPU core(s)", group.Message, StringComparison.Ordinal);

        Silent("Listen 80\nWSGIApplicationInterpreters 2\nWSGIDaemonProcess site interpreters=2\nWSGIProcessGroup site");
    }

    [Fact]
    public void FewerThreadsThanInterpreters()
    {
        var embedded = Single("Listen 80\nThreadsPerChild 1\nWSGIApplicationInterpreters 2");
        embedded.At(3, "WSGIApplicationInterpreters");
        Assert.Equal("embedded applications run in 2 interpreters but the server has 1 WSGI thread(s): at most 1 of them run at once", embedded.Message);

        var group = Single("Listen 80\nWSGIDaemonProcess site threads=1 interpreters=2\nWSGIProcessGroup site");
        group.At(2, "WSGIDaemonProcess");
        Assert.Equal("threads=2 or more", group.Fix);

        // The server-wide setting reaches a group without interpreters=.
        Single("Listen 80\nWSGIRestrictEmbedded On\nWSGIApplicationInterpreters 2\nWSGIDaemonProcess site threads=1\nWSGIProcessGroup site").At(4, "WSGIDaemonProcess");
        Silent("Listen 80\nWSGIApplicationInterpreters 2\nWSGIDaemonProcess site threads=2\nWSGIProcessGroup site");
    }

    [Fact]
    public void ASubInterpreterAppImportingNumpyIsToldToUseTheMainInterpreter()
    {
        string script = _folder.Write("app/app.wsgi", "import os\nfrom helpers import application\n");
        _folder.Write("app/helpers.py", "# numbers\nimport numpy as np\n\ndef application(environ, start_response):\n    pass\n");

        var warning = Single($"Listen 80\nWSGIScriptAlias /app {script}");
        warning.At(2, "WSGIScriptAlias");
        Assert.Contains("runs in a sub-interpreter (application group %{RESOURCE}) and imports numpy", warning.Message, StringComparison.Ordinal);
        Assert.Contains("helpers.py:2", warning.Message, StringComparison.Ordinal);

        Silent($"Listen 80\nWSGIScriptAlias /app {script} application-group=%{{GLOBAL}}");
        Silent($"Listen 80\nWSGIApplicationGroup %{{GLOBAL}}\nWSGIScriptAlias /app {script}");
    }

    /// <summary>In the main interpreter too, when the app also runs in extra isolated interpreters: the warning points at the setting.</summary>
    [Fact]
    public void AnAppImportingNumpyInSeveralInterpretersIsToldToUseOne()
    {
        string script = _folder.Write("app/app.wsgi", "import numpy\n\ndef application(environ, start_response):\n    pass\n");

        var embedded = Single($"Listen 80\nWSGIApplicationInterpreters 2\nWSGIScriptAlias /app {script} application-group=%{{GLOBAL}}");
        embedded.At(2, "WSGIApplicationInterpreters");
        Assert.Contains("runs in 2 interpreters, the extra ones isolated sub-interpreters, and imports numpy", embedded.Message, StringComparison.Ordinal);
        Assert.Contains("WSGIApplicationInterpreters 1", embedded.Fix, StringComparison.Ordinal);

        var daemon = Single($"Listen 80\nWSGIDaemonProcess site interpreters=2\nWSGIScriptAlias /app {script} process-group=site application-group=%{{GLOBAL}}");
        daemon.At(2, "WSGIDaemonProcess");
        Assert.Contains("runs in 2 interpreters", daemon.Message, StringComparison.Ordinal);

        // A group's interpreters=1 wins over the server-wide setting.
        Silent($"Listen 80\nWSGIApplicationInterpreters 2\nWSGIDaemonProcess site interpreters=1\nWSGIScriptAlias /app {script} process-group=site application-group=%{{GLOBAL}}");
    }
}
