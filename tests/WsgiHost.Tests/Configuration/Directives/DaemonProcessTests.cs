using WsgiHost.Configuration.Syntax;
using WsgiHost.Configuration.Model;

namespace WsgiHost.Tests.Configuration.Directives;

/// <summary>WSGIDaemonProcess: every option kind, its checks, and mod_wsgi's group scoping.</summary>
public sealed class DaemonProcessTests
{
    [Fact]
    public void DefaultsAreModWsgis()
    {
        var group = Assert.Single(SiteText.Clean("Listen 80\nWSGIDaemonProcess site").DaemonGroups);

        Assert.Equal("site", group.Name);
        Assert.Equal(2, group.Location.Line);
        Assert.Null(group.OwnerServerName);
        Assert.Null(group.OwnerLocation);
        Assert.Null(group.Processes);
        Assert.Equal(1, group.EffectiveProcesses);
        Assert.Equal(15, group.Threads);
        Assert.Equal(15, group.GracefulTimeoutSeconds);
        Assert.Equal(5, group.ShutdownTimeoutSeconds);
        Assert.Equal(300, group.DeadlockTimeoutSeconds);
        Assert.Equal(15, group.ConnectTimeoutSeconds);
        Assert.Equal(0, group.RequestTimeoutSeconds);
        Assert.Equal(32768, group.HeaderBufferSize);
        // Not mod_wsgi's (the system's): a worker's whole 1 MiB response fits in its socket.
        Assert.Equal(1024 * 1024, group.SendBufferSize);
        Assert.Equal(0, group.ReceiveBufferSize);
        Assert.Empty(group.PythonPath);
        Assert.Empty(group.Options);
    }

    [Fact]
    public void EveryOptionKindIsParsed()
    {
        // Config, not Clean: the options without effect here are warned of (OptionsWithoutEffectAreSaid).
        var config = SiteText.Config("""
            Listen 80
            WSGIDaemonProcess site processes=2 threads=0 user=www-data group=#33 supplementary-groups=a,b umask=0022 \
                home=/tmp display-name=%{GROUP} lang=en_US.UTF-8 locale=C.UTF-8 python-home=/srv/venv \
                python-path=/srv/a:/srv/b python-eggs=/tmp/eggs switch-interval=0.01 cpu-priority=-5 stack-size=524288 \
                socket-user=#1000 server-metrics=On maximum-requests=1000 restart-interval=3600 cpu-time-limit=10 \
                memory-limit=1000000 virtual-memory-limit=2000000 inactivity-timeout=300 request-timeout=60 \
                interrupt-timeout=5 deadlock-timeout=60 startup-timeout=15 graceful-timeout=10 eviction-timeout=20 \
                shutdown-timeout=3 connect-timeout=10 socket-timeout=30 queue-timeout=45 listen-backlog=200 \
                response-socket-timeout=20 header-buffer-size=8192 response-buffer-size=0 response-flush-delay=5 \
                send-buffer-size=512 receive-buffer-size=1024 script-user=nobody
            """);

        var group = Assert.Single(config.DaemonGroups);
        Assert.Equal(2, group.Processes);
        Assert.Equal(0, group.Threads);
        Assert.Equal("www-data", group.User);
        Assert.Equal("#33", group.Group);
        Assert.Equal("/tmp", group.Home);
        Assert.Equal("%{GROUP}", group.DisplayName);
        Assert.Equal("en_US.UTF-8", group.Lang);
        Assert.Equal("C.UTF-8", group.Locale);
        Assert.Equal("/srv/venv", group.PythonHome);
        Assert.Equal(["/srv/a", "/srv/b"], group.PythonPath);
        Assert.Equal(1000, group.MaximumRequests);
        Assert.Equal(3600, group.RestartIntervalSeconds);
        Assert.Equal(300, group.InactivityTimeoutSeconds);
        Assert.Equal(60, group.RequestTimeoutSeconds);
        Assert.Equal(60, group.DeadlockTimeoutSeconds);
        Assert.Equal(15, group.StartupTimeoutSeconds);
        Assert.Equal(10, group.GracefulTimeoutSeconds);
        Assert.Equal(3, group.ShutdownTimeoutSeconds);
        Assert.Equal(10, group.ConnectTimeoutSeconds);
        Assert.Equal(30, group.SocketTimeoutSeconds);
        Assert.Equal(45, group.QueueTimeoutSeconds);
        Assert.Equal(8192, group.HeaderBufferSize);
        Assert.Equal(512, group.SendBufferSize);
        Assert.Equal(1024, group.ReceiveBufferSize);
        Assert.Equal(5, group.InterruptTimeoutSeconds);
        Assert.Equal(42, group.Options.Count);
        Assert.Equal("0022", group.Options["umask"]);
        Assert.Equal("-5", group.Options["cpu-priority"]);
        Assert.Equal("nobody", group.Options["script-user"]);
    }

    [Theory]
    [InlineData("processes=0", "processes= must be a whole number from 1 to 2147483647, got '0'")]
    [InlineData("processes=two", "processes= must be a whole number from 1 to 2147483647, got 'two'")]
    [InlineData("threads=70000", "threads= must be a whole number from 0 to 65533, got '70000'")]
    [InlineData("threads=-1", "threads= must be a whole number from 0 to 65533, got '-1'")]
    [InlineData("interpreters=0", "interpreters= must be a whole number from 1 to 64, got '0'")]
    [InlineData("interpreters=65", "interpreters= must be a whole number from 1 to 64, got '65'")]
    [InlineData("request-timeout=1.5", "request-timeout= must be a whole number seconds from 0 to 2147483647, got '1.5'")]
    [InlineData("memory-limit=1G", "memory-limit= must be a whole number bytes from 0 to 9223372036854775807, got '1G'")]
    [InlineData("header-buffer-size=4294967296", "header-buffer-size= must be a whole number bytes from 8192 to 2147483647, got '4294967296'")]
    [InlineData("header-buffer-size=4096", "header-buffer-size= must be a whole number bytes from 8192 to 2147483647, got '4096'")]
    [InlineData("send-buffer-size=511", "send-buffer-size= must be a whole number bytes from 512 to 2147483647, got '511'")]
    [InlineData("listen-backlog=0", "listen-backlog= must be a whole number from 1 to 2147483647, got '0'")]
    [InlineData("cpu-priority=21", "cpu-priority= must be from -20 to 20, got '21'")]
    [InlineData("server-metrics=yes", "server-metrics= must be On or Off, got 'yes'")]
    [InlineData("umask=0029", "umask= must be octal like 0022, got '0029'")]
    [InlineData("python-path=/srv/a:lib", "python-path= entries must be absolute, got 'lib'")]
    public void OptionValuesAreChecked(string option, string message)
    {
        var error = SiteText.Error($"Listen 80\nWSGIDaemonProcess site {option}");

        error.At(2, "WSGIDaemonProcess", hasFix: false);
        Assert.Equal(message, error.Message);
    }

    /// <summary>QA: an unknown user=, group= or a missing home= passed check, and every worker then died at start, in a loop.</summary>
    [Theory]
    [InlineData("user=nosuchuser99", "user=nosuchuser99: no such user on this machine (/etc/passwd)")]
    [InlineData("group=nosuchgroup99", "group=nosuchgroup99: no such group on this machine (/etc/group)")]
    [InlineData("script-user=nosuchuser99", "script-user=nosuchuser99: no such user on this machine (/etc/passwd)")]
    [InlineData("home=/nonexistent-wsgihost", "home=/nonexistent-wsgihost is not a folder on this machine, so no worker could start")]
    [InlineData("home=/etc/passwd", "home=/etc/passwd is not a folder on this machine, so no worker could start")]
    public void AnIdentityOrHomeTheMachineDoesNotHaveIsAnError(string option, string message)
    {
        var error = SiteText.Error($"Listen 80\nWSGIDaemonProcess site {option}");

        error.At(2, "WSGIDaemonProcess");
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void NumericIdsAreTakenAsTheyAre()
    {
        SiteText.Config("Listen 80\nWSGIDaemonProcess site user=#4321 group=#4321 home=/tmp");
    }

    [Theory]
    [InlineData("user=root")]
    [InlineData("user=#0")]
    [InlineData("group=root")]
    [InlineData("script-user=root")]
    public void RootIsRefused(string option)
    {
        var error = SiteText.Error($"Listen 80\nWSGIDaemonProcess site {option}");

        error.At(2, "WSGIDaemonProcess");
        Assert.EndsWith(": WSGI daemon processes are blocked from running as root", error.Message, StringComparison.Ordinal);
        Assert.StartsWith(option, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARelativeHomeIsRefusedWithTheAbsolutePath()
    {
        var error = SiteText.Error("Listen 80\nWSGIDaemonProcess site home=srv/site");

        error.At(2, "WSGIDaemonProcess");
        Assert.Equal("home= must be an absolute path, got 'srv/site'", error.Message);
        Assert.Equal($"home={Path.GetFullPath("srv/site")}", error.Fix);
    }

    [Fact]
    public void AnUnknownOptionIsNamed()
    {
        var error = SiteText.Error("Listen 80\nWSGIDaemonProcess site proceses=2");
        error.At(2, "WSGIDaemonProcess");
        Assert.Equal("unknown option 'proceses'", error.Message);
        Assert.Equal("did you mean processes=?", error.Fix);

        var noGuess = SiteText.Error("Listen 80\nWSGIDaemonProcess site frobnicate=2");
        Assert.Equal("unknown option 'frobnicate'", noGuess.Message);
        Assert.StartsWith("the options are processes=, threads=", noGuess.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyAndRepeatedOptionsAreErrors()
    {
        Assert.Equal("option 'threads=' has an empty value", SiteText.Error("Listen 80\nWSGIDaemonProcess site threads=").Message);
        Assert.Equal("option 'threads' is given twice", SiteText.Error("Listen 80\nWSGIDaemonProcess site threads=2 threads=3").Message);
    }

    [Fact]
    public void TheNameMustComeFirst()
    {
        var error = SiteText.Error("Listen 80\nWSGIDaemonProcess processes=2");

        error.At(2, "WSGIDaemonProcess");
        Assert.Equal("the first argument must be the group's name, got 'processes=2'", error.Message);
    }

    [Fact]
    public void ScriptUserAndScriptGroupExcludeEachOther()
    {
        var error = SiteText.Error("Listen 80\nWSGIDaemonProcess site script-user=nobody script-group=staff");

        error.At(2, "WSGIDaemonProcess");
        Assert.Equal("script-user= and script-group= cannot both be given", error.Message);
    }

    /// <summary>As mod_wsgi reads an option's value (ap_getword_conf): quotes around it are not part of it, and may hold spaces.</summary>
    [Fact]
    public void QuotedValuesAreWhatIsBetweenTheQuotes()
    {
        var group = Assert.Single(SiteText.Clean("Listen 80\nWSGIDaemonProcess site lang='C.UTF-8' locale=\"C.UTF-8\" display-name='(wsgi) my site' python-path='/srv/a:/srv/b' home='/srv'").DaemonGroups);

        Assert.Equal(("C.UTF-8", "C.UTF-8", "(wsgi) my site", "/srv"), (group.Lang, group.Locale, group.DisplayName, group.Home));
        Assert.Equal(["/srv/a", "/srv/b"], group.PythonPath);
    }

    /// <summary>Options WsgiHost takes without acting on them are said: a warning where a site may rely on them, a note where it needs nothing.</summary>
    [Fact]
    public void OptionsWithoutEffectAreSaid()
    {
        var diagnostics = SiteText.Build("Listen 80\nWSGIDaemonProcess site stack-size=524288 socket-user=www-data").Diagnostics;

        Assert.Contains(diagnostics, d => d.Severity == DiagnosticSeverity.Warning && d.Message.StartsWith("stack-size= has no effect in WsgiHost", StringComparison.Ordinal));
        Assert.Contains(diagnostics, d => d.Severity == DiagnosticSeverity.Note && d.Message.StartsWith("socket-user= has no effect in WsgiHost", StringComparison.Ordinal));
        Assert.Empty(SiteText.Build("Listen 80\nWSGIDaemonProcess site cpu-priority=5 supplementary-groups=www-data python-eggs=/tmp/eggs").Diagnostics);
    }

    [Fact]
    public void ChrootIsRefused()
    {
        var error = SiteText.Error("Listen 80\nWSGIDaemonProcess site chroot=/srv/jail");

        error.At(2, "WSGIDaemonProcess");
        Assert.StartsWith("chroot= is not supported", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADuplicateGroupNameNamesBothLines()
    {
        var error = SiteText.Error("""
            Listen 80
            WSGIDaemonProcess site
            <VirtualHost *:80>
              ServerName a.example
              WSGIDaemonProcess site threads=2
            </VirtualHost>
            """);

        error.At(5, "WSGIDaemonProcess");
        Assert.Equal("a daemon process group named 'site' is already defined at site.conf:2", error.Message);
    }

    [Fact]
    public void AGroupInAVirtualHostIsOwnedByItsServerName()
    {
        var config = SiteText.Clean("""
            Listen 80
            <VirtualHost *:80>
              ServerName a.example
              WSGIDaemonProcess a
              WSGIProcessGroup a
            </VirtualHost>
            """);

        var group = Assert.Single(config.DaemonGroups);
        Assert.Equal("a.example", group.OwnerServerName);
        Assert.Equal(2, group.OwnerLocation?.Line);
        Assert.Equal("a", config.VirtualHosts[0].Defaults.ProcessGroup);
    }

    [Fact]
    public void TheHttpAndHttpsVirtualHostsOfOneNameShareAGroup()
    {
        var config = SiteText.Clean("""
            Listen 80
            Listen 443
            <VirtualHost *:80>
              ServerName www.example.com
              WSGIDaemonProcess example
              WSGIScriptAlias / /srv/nonexistent.wsgi process-group=example application-group=%{GLOBAL}
            </VirtualHost>
            <VirtualHost *:443>
              ServerName www.example.com:443
              <Location />
                WSGIProcessGroup example
              </Location>
            </VirtualHost>
            """.Replace("/srv/nonexistent.wsgi", "/dev/null", StringComparison.Ordinal));

        Assert.Equal(2, config.VirtualHosts.Count);
    }

    [Fact]
    public void AGroupOfAnotherServerNameIsAnError()
    {
        var error = SiteText.Error("""
            Listen 80
            <VirtualHost *:80>
              ServerName a.example
              WSGIDaemonProcess a
            </VirtualHost>
            <VirtualHost *:80>
              ServerName b.example
              WSGIProcessGroup a
            </VirtualHost>
            """);

        error.At(8, "WSGIProcessGroup");
        Assert.Equal("the daemon group 'a' was defined inside the virtual host at site.conf:2 (ServerName a.example) and cannot be used from a virtual host with ServerName b.example", error.Message);
    }

    [Fact]
    public void AGroupOfAVirtualHostCannotBeUsedFromTheMainServer()
    {
        var error = SiteText.Error("""
            Listen 80
            WSGIScriptAlias / /dev/null process-group=a
            <VirtualHost *:80>
              ServerName a.example
              WSGIDaemonProcess a
            </VirtualHost>
            """);

        error.At(2, "WSGIScriptAlias");
        Assert.EndsWith("cannot be used from the main server", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AGroupAtTopLevelIsUsableEverywhere()
    {
        var config = SiteText.Clean("""
            Listen 80
            <VirtualHost *:80>
              ServerName a.example
              WSGIProcessGroup shared
            </VirtualHost>
            <VirtualHost *:80>
              ServerName b.example
              <Directory /srv/b>
                WSGIProcessGroup shared
              </Directory>
            </VirtualHost>
            WSGIDaemonProcess shared
            WSGIProcessGroup shared
            """);

        Assert.Null(Assert.Single(config.DaemonGroups).OwnerServerName);
    }

    [Fact]
    public void AnUndefinedGroupIsAnErrorWithASuggestion()
    {
        var error = SiteText.Error("Listen 80\nWSGIDaemonProcess mysite\nWSGIProcessGroup mysiet");
        error.At(3, "WSGIProcessGroup");
        Assert.Equal("no WSGIDaemonProcess defines the group 'mysiet'", error.Message);
        Assert.Equal("did you mean 'mysite'?", error.Fix);

        var none = SiteText.Error("Listen 80\nWSGIProcessGroup other");
        Assert.StartsWith("add WSGIDaemonProcess other", none.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void LabelsAndGlobalAreNotCheckedAgainstGroups()
    {
        SiteText.Clean("Listen 80\nWSGIProcessGroup %{GLOBAL}\n<Location /x>\n  WSGIProcessGroup %{ENV:GROUP}\n</Location>");
    }

    [Fact]
    public void ImportScriptAndScriptAliasFollowTheSameScoping()
    {
        var errors = SiteText.Errors("""
            Listen 80
            <VirtualHost *:80>
              ServerName a.example
              WSGIDaemonProcess a
            </VirtualHost>
            <VirtualHost *:80>
              ServerName b.example
              WSGIImportScript /dev/null process-group=a application-group=%{GLOBAL}
              WSGIScriptAlias / /dev/null process-group=a
            </VirtualHost>
            """);

        Assert.Equal([8, 9], errors.Select(e => e.Location.Line));
        Assert.Equal(["WSGIImportScript", "WSGIScriptAlias"], errors.Select(e => e.Directive));
        Assert.All(errors, e => Assert.Contains("cannot be used from a virtual host with ServerName b.example", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void AGroupDefinedLaterInTheFileIsFound() =>
        SiteText.Clean("Listen 80\nWSGIProcessGroup late\nWSGIDaemonProcess late");

    [Fact]
    public void DaemonProcessIsNotAllowedInASection()
    {
        var error = SiteText.Error("Listen 80\n<Location />\n  WSGIDaemonProcess site\n</Location>");

        error.At(3, "WSGIDaemonProcess");
        Assert.Equal("not allowed inside <Directory>, <Location> or <Files>", error.Message);
        Assert.Equal("move WSGIDaemonProcess to the <VirtualHost> or the main server", error.Fix);
    }
}
