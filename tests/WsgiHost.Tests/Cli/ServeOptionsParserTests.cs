using WsgiHost.Cli.Commands;
using WsgiHost.Configuration.Model;
using WsgiHost.Supervisor;

namespace WsgiHost.Tests.Cli;

public sealed class ServeOptionsParserTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wsgihost-cli-").FullName;
    private readonly string _script;

    public ServeOptionsParserTests()
    {
        _script = Path.Combine(_dir, "app.wsgi");
        File.WriteAllText(_script, "");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void DefaultsMatchModWsgiExpress()
    {
        var model = ServeOptionsParser.Parse([_script]);
        Assert.Null(model.ErrorLog);
        var listen = Assert.Single(model.Listeners);
        Assert.Equal(("127.0.0.1", 8000, 5), (listen.Address?.ToString(), listen.Port, model.Threads));
        var mount = Assert.Single(model.MainServer.ScriptAliases);
        Assert.Equal("/", mount.UrlPattern);
        Assert.Equal(_script, mount.Target);
        Assert.Equal("application", mount.Options.CallableObject);
        Assert.Equal("%{GLOBAL}", mount.Options.ApplicationGroup);
        Assert.True(model.MainServer.Defaults.ScriptReloading);
        Assert.Equal(_dir, model.Python.WorkingDirectory);
        Assert.Equal([_dir], model.Python.Path);
        Assert.False(model.MainServer.Defaults.ChunkedRequest);
        Assert.Empty(model.MainServer.CustomLogs);
        Assert.False(model.MainServer.Defaults.CompressesOutput);
    }

    [Fact]
    public void LogOptionsOfModWsgiExpressWriteTheLogsInTheLogDirectory()
    {
        // Default: the terminal, no access log.
        var plain = ServeOptionsParser.Parse([_script]);
        Assert.Null(plain.ErrorLog);
        Assert.Empty(plain.MainServer.CustomLogs);

        var site = ServeOptionsParser.Parse([_script, "--log-directory", _dir, "--access-log", "--access-log-format", "common", "--error-log-name", "errors.log"]);
        Assert.Equal(Path.Combine(_dir, "errors.log"), site.ErrorLog);
        var access = Assert.Single(site.MainServer.CustomLogs);
        Assert.Equal(Path.Combine(_dir, "access_log"), access.Path);
        Assert.Equal("%h %l %u %t \"%r\" %>s %b", access.Format);

        // --log-to-terminal wins, as under mod_wsgi-express.
        var terminal = ServeOptionsParser.Parse([_script, "--log-directory", _dir, "--access-log", "--log-to-terminal"]);
        Assert.Null(terminal.ErrorLog);
        Assert.Equal("/dev/stdout", Assert.Single(terminal.MainServer.CustomLogs).Path);

        Assert.Contains("does not exist", Assert.Throws<UsageException>(() => ServeOptionsParser.Parse([_script, "--log-directory", Path.Combine(_dir, "missing")])).Message, StringComparison.Ordinal);
        // As a configuration's ErrorLog: the folder is not made (QA: a typo made /nonexistent as root).
        Assert.Equal($"--error-log: the folder {Path.Combine(_dir, "missing")} does not exist (create it first)",
            Assert.Throws<UsageException>(() => ServeOptionsParser.Parse([_script, "--error-log", Path.Combine(_dir, "missing", "error.log")])).Message);
        Assert.False(Directory.Exists(Path.Combine(_dir, "missing")));
        Assert.Contains("Apache's default format", Assert.Throws<UsageException>(() => ServeOptionsParser.Parse([_script, "--error-log-format", "%M"])).Message, StringComparison.Ordinal);
        Assert.StartsWith("--access-log-format: ", Assert.Throws<UsageException>(() => ServeOptionsParser.Parse([_script, "--access-log", "--access-log-format", "%{x"])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RotateLogsPipesTheLogsThroughRotatelogsAsModWsgiExpressDoes()
    {
        if (!File.Exists("/usr/bin/rotatelogs"))
        {
            Assert.Throws<UsageException>(() => ServeOptionsParser.Parse([_script, "--log-directory", _dir, "--rotate-logs"]));
            return;
        }
        var site = ServeOptionsParser.Parse([_script, "--log-directory", _dir, "--rotate-logs", "--max-log-size", "10"]);
        Assert.Equal($"||/usr/bin/rotatelogs {Path.Combine(_dir, "error_log")}.%Y-%m-%d-%H_%M_%S 10M", site.ErrorLog);
    }

    [Fact]
    public void CompressResponsesGzipsTheTypesModWsgiExpressDoes()
    {
        var rules = ServeOptionsParser.Parse([_script, "--compress-responses"]).MainServer.Defaults.OutputFilterByType;
        Assert.Equal(
            ["text/plain", "text/html", "text/xml", "text/css", "text/javascript", "application/xhtml+xml", "application/javascript", "application/json"],
            rules.Select(r => r.Match));
        Assert.All(rules, r => Assert.Equal(WsgiHost.Configuration.Model.ContentCodings.Gzip, r.Codings));
    }

    [Fact]
    public void XSendFilePathTurnsXSendFileOnForTheFoldersGiven()
    {
        Assert.False(ServeOptionsParser.Parse([_script]).MainServer.Defaults.XSendFile.IsOn);

        var sendFile = ServeOptionsParser.Parse([_script, "--x-sendfile-path", "/srv/private/", "--x-sendfile-path", "/srv/exports"]).MainServer.Defaults.XSendFile;

        Assert.True(sendFile.IsOn);
        Assert.Equal([new("/srv/private", false), new("/srv/exports", false)], sendFile.Paths);
    }

    [Fact]
    public void UserAndGroupAreTheWorkersIdentityAndTheServers()
    {
        DaemonGroupConfig group = ServeOptionsParser.Parse([_script, "--user", "www-data", "--group", "#33"]).DaemonGroups[0];

        Assert.Equal(("www-data", "#33"), (group.User, group.Group));
        Assert.Null(ServeOptionsParser.Parse([_script]).DaemonGroups[0].User);
        // With the app in the server process, they are the server's identity (Apache's User and Group).
        var embedded = ServeOptionsParser.Parse([_script, "--embedded", "--user", "nobody", "--group", "www-data"]);
        Assert.Equal(("nobody", "www-data"), (embedded.User, embedded.Group));
        Assert.Empty(embedded.DaemonGroups);
    }

    [Fact]
    public void OptionsAreApplied()
    {
        var model = ServeOptionsParser.Parse([_script, "--port", "9000", "--threads", "16", "--url-alias", "/static", _dir,
            "--callable-object", "app", "--python", "/usr/bin/python3", "--python-path", "/opt/lib", "--access-log",
            "--server-name", "example.com", "--error-log", "/tmp/e.log", "--chunked-request", "--mount-point", "/app"]);
        Assert.Equal(9000, model.Listeners[0].Port);
        Assert.Equal(16, model.Threads);
        Assert.Equal("/static", Assert.Single(model.MainServer.Aliases).UrlPattern);
        Assert.Equal("app", model.MainServer.ScriptAliases[0].Options.CallableObject);
        Assert.Equal("/app", model.MainServer.ScriptAliases[0].UrlPattern);
        Assert.Equal("/usr/bin/python3", model.Python.Executable);
        Assert.Equal(["/opt/lib", _dir], model.Python.Path);
        Assert.Equal("/dev/stdout", Assert.Single(model.MainServer.CustomLogs).Path);
        Assert.True(model.MainServer.Defaults.ChunkedRequest);
        Assert.Equal("example.com", model.MainServer.ServerName);
        Assert.Equal("/tmp/e.log", model.ErrorLog);
        Assert.Equal(0, model.DrainSeconds);
        Assert.Equal(3, ServeOptionsParser.Parse([_script, "--drain", "3"]).DrainSeconds);
        Assert.Equal(10, model.GracefulShutdownTimeoutSeconds);
        Assert.Equal(0, ServeOptionsParser.Parse([_script, "--graceful-shutdown-timeout", "0"]).GracefulShutdownTimeoutSeconds);
    }

    [Theory]
    [InlineData("--port", "70000", "--port must be a whole number from 1 to 65535")]
    [InlineData("--threads", "0", "--threads must be a whole number from 1 to 1024")]
    [InlineData("--log-level", "loud", "--log-level must be one of")]
    [InlineData("--drain", "-1", "--drain must be a whole number from 0 to 3600")]
    [InlineData("--interpreters", "0", "--interpreters must be a whole number from 1 to 64")]
    public void BadValuesAreNamed(string option, string value, string message) =>
        Assert.Contains(message, Assert.Throws<UsageException>(() => ServeOptionsParser.Parse([_script, option, value])).Message);

    /// <summary>--interpreters is the site's WSGIApplicationInterpreters: the embedded app and the daemon group (which gives no interpreters= of its own) take it.</summary>
    [Fact]
    public void InterpretersIsTheSitesApplicationInterpreters()
    {
        Assert.Equal(1, ServeOptionsParser.Parse([_script]).Python.ApplicationInterpreters);
        var model = ServeOptionsParser.Parse([_script, "--interpreters", "3"]);
        Assert.Equal(3, model.Python.ApplicationInterpreters);
        Assert.Null(Assert.Single(model.DaemonGroups).Interpreters);
        Assert.Equal(3, ServeOptionsParser.Parse([_script, "--embedded", "--interpreters", "3"]).Python.ApplicationInterpreters);
    }

    [Fact]
    public void ARelativePythonIsTheCurrentFoldersAndABareNameIsLookedUpOnPath()
    {
        // The server works from the script's folder later: venv/bin/python must be read from here.
        Assert.Equal(Path.GetFullPath("venv/bin/python"), ServeOptionsParser.Parse([_script, "--python", "venv/bin/python"]).Python.Executable);
        Assert.Equal("python3.12", ServeOptionsParser.Parse([_script, "--python", "python3.12"]).Python.Executable);
        Assert.Equal(Path.GetFullPath("venv"), ServeOptionsParser.Parse([_script, "--python-home", "venv"]).Python.Home);
    }

    [Fact]
    public void AnOptionMayCarryItsValueAfterAnEqualsSignAsModWsgiExpressTakesIt() =>
        Assert.Equal(9623, Assert.Single(ServeOptionsParser.Parse([_script, "--port=9623"]).Listeners).Port);

    [Fact]
    public void EveryCommandTakesTheOtherSpellingsOfAnOption()
    {
        // Normalised before --server-processes and --cpu-scheduling are taken (QA: '--server-processes=2' was unknown).
        Assert.Equal(["--server-processes", "2", "--drain", "5", "-D", "PORT=18603", "-D", "X", "app.wsgi", "-D"],
            ArgumentForms.Normalize(["--server-processes=2", "--drain=5", "-DPORT=18603", "-D", "X", "app.wsgi", "-D"]));
        // A value that holds '=' is left alone; so is an option's value that follows it.
        Assert.Equal(["--setenv", "A", "b=c", "--setenv", "D", "e=f"], ArgumentForms.Normalize(["--setenv", "A", "b=c", "--setenv=D", "e=f"]));
    }

    [Theory]
    [InlineData("--porrt", "did you mean --port?")]
    [InlineData("--document-root", "--url-alias /URL/ DIR")]
    [InlineData("--include-file", "serve it with wsgihost run")]
    [InlineData("--maximum-request", "did you mean --maximum-requests?")]
    public void AnUnknownOptionSaysWhatToDoInstead(string option, string hint)
    {
        var e = Assert.Throws<UsageException>(() => ServeOptionsParser.Parse([_script, option, "1"]));
        Assert.StartsWith($"unknown option '{option}': ", e.Message);
        Assert.Contains(hint, e.Message);
        Assert.EndsWith("(wsgihost serve --help lists the options)", e.Message);
    }

    [Fact]
    public void PythonAndPythonHomeAreExclusive() =>
        Assert.Throws<UsageException>(() => ServeOptionsParser.Parse([_script, "--python", "a", "--python-home", "b"]));

    [Fact]
    public void ProcessesGivesOneDaemonGroupServingTheScript()
    {
        var model = ServeOptionsParser.Parse([_script, "--processes", "2", "--threads", "3"]);
        var group = Assert.Single(model.DaemonGroups);
        Assert.Equal((2, 3, _dir), (group.Processes, group.Threads, group.Home));
        Assert.Equal(group.Name, model.MainServer.ScriptAliases[0].Options.ProcessGroup);
        Assert.Empty(ServeOptionsParser.Parse([_script, "--embedded"]).DaemonGroups);
    }

    /// <summary>As mod_wsgi-express: one daemon process (processes=1, so wsgi.multiprocess) with --threads, unless --embedded.</summary>
    [Fact]
    public void DaemonModeIsTheDefault()
    {
        var group = Assert.Single(ServeOptionsParser.Parse([_script]).DaemonGroups);
        Assert.Equal((1, 5, false), (group.Processes, group.Threads, group.ReloadOnChanges));
        Assert.True(Assert.Single(ServeOptionsParser.Parse([_script, "--reload-on-changes"]).DaemonGroups).ReloadOnChanges);
    }

    [Fact]
    public void ServerProcessesRunTheAppEmbedded()
    {
        Assert.Equal([_script, "--embedded"], ServeOptionsParser.Embedded([_script]));
        Assert.Equal([_script, "--embedded"], ServeOptionsParser.Embedded([_script, "--embedded"]));
        Assert.Throws<UsageException>(() => ServeOptionsParser.Embedded([_script, "--processes", "2"]));
    }

    /// <summary>mod_wsgi-express's worker options set the WSGIDaemonProcess options of their names; where none is given, express's values apply.</summary>
    [Fact]
    public void ExpressWorkerOptionsSetTheDaemonGroupsOptions()
    {
        DaemonGroupConfig defaults = Assert.Single(ServeOptionsParser.Parse([_script]).DaemonGroups);
        Assert.Equal((60, 45, 60, 15, 0, 15, 5), (defaults.RequestTimeoutSeconds, defaults.QueueTimeoutSeconds, defaults.DeadlockTimeoutSeconds,
            defaults.StartupTimeoutSeconds, defaults.MaximumRequests, defaults.GracefulTimeoutSeconds, defaults.ShutdownTimeoutSeconds));
        Assert.Equal(_dir, defaults.Home);
        // --python-path and the script's folder are the group's python-path=, as express writes it.
        Assert.Equal(["/opt/lib", _dir], Assert.Single(ServeOptionsParser.Parse([_script, "--python-path", "/opt/lib"]).DaemonGroups).PythonPath);

        DaemonGroupConfig group = Assert.Single(ServeOptionsParser.Parse([_script, "--maximum-requests", "1000", "--request-timeout", "30",
            "--interrupt-timeout", "5", "--restart-interval=3600", "--memory-limit", "500000000", "--cpu-time-limit", "600", "--process-name", "(wsgi:site)"]).DaemonGroups);
        Assert.Equal((1000, 30, 5, 3600), (group.MaximumRequests, group.RequestTimeoutSeconds, group.InterruptTimeoutSeconds, group.RestartIntervalSeconds));
        Assert.Equal("(wsgi:site)", group.DisplayName);
        // The worker is started from the options as written, as for a configuration's group.
        Assert.Equal("500000000", group.Options["memory-limit"]);
        Assert.Equal("600", group.Options["cpu-time-limit"]);
    }

    [Theory]
    [InlineData("--request-timeout", "soon", "--request-timeout must be a whole number seconds from 0 to")]
    [InlineData("--memory-limit", "-1", "--memory-limit must be a whole number bytes from 0 to")]
    [InlineData("--header-buffer-size", "100", "--header-buffer-size must be a whole number bytes from 8192 to")]
    public void AWorkerOptionsBadValueIsNamedAsItWasGiven(string option, string value, string message) =>
        Assert.Contains(message, Assert.Throws<UsageException>(() => ServeOptionsParser.Parse([_script, option, value])).Message);

    [Fact]
    public void WorkerOptionsNeedWorkers() =>
        Assert.Contains("--maximum-requests is an option of the daemon worker processes; with --embedded",
            Assert.Throws<UsageException>(() => ServeOptionsParser.Parse([_script, "--embedded-mode", "--maximum-requests", "10"])).Message);

    /// <summary>--application-type module: a script that imports the module by name, from the current folder unless --working-directory says.</summary>
    [Fact]
    public void AModuleIsServedThroughAScriptThatImportsIt()
    {
        var model = ServeOptionsParser.Parse(["--entry-point", "mysite.wsgi", "--application-type", "module", "--callable-object", "app", "--log-to-terminal"]);
        ScriptAliasConfig mount = Assert.Single(model.MainServer.ScriptAliases);
        Assert.Equal("application", mount.Options.CallableObject);
        Assert.Contains("application = importlib.import_module('mysite.wsgi').app", File.ReadAllText(mount.Target));
        Assert.Equal("the module mysite.wsgi (app)", ModuleEntryPoint.Describe(mount.Target));
        Assert.Equal(Environment.CurrentDirectory, model.Python.WorkingDirectory);
        Assert.Equal(Environment.CurrentDirectory, model.DaemonGroups[0].Home);
        Assert.Equal(_dir, ServeOptionsParser.Parse(["mysite.wsgi", "--application-type", "module", "--working-directory", _dir]).Python.WorkingDirectory);
    }

    [Theory]
    [InlineData("mysite/wsgi.py", "module", "takes a module's dotted name such as mysite.wsgi, got 'mysite/wsgi.py' (for a file, leave out --application-type module)")]
    [InlineData("mysite.wsgi", "paste", "--application-type must be script or module, got 'paste'")]
    [InlineData("mysite.wsgi", "script", "does not exist (for the module mysite.wsgi, add --application-type module)")]
    public void AModuleNameOrTypeThatCannotBeServedIsExplained(string app, string type, string message) =>
        Assert.Contains(message, Assert.Throws<UsageException>(() => ServeOptionsParser.Parse([app, "--application-type", type])).Message);

    /// <summary>--setenv and --passenv add to the WSGI environ (not os.environ), as mod_wsgi-express's; a variable the server does not have is left out.</summary>
    [Fact]
    public void SetenvAndPassenvAddToTheEnviron()
    {
        var model = ServeOptionsParser.Parse([_script, "--setenv", "STAGE", "prod", "--passenv", "PATH", "--passenv", "WSGIHOST_TEST_NOT_SET"]);
        Assert.Equal([new("STAGE", "prod"), new("PATH", Environment.GetEnvironmentVariable("PATH"))], model.MainServer.Defaults.SetEnv);
    }

    [Fact]
    public void TrustedProxyOptionsAreModWsgisDirectives()
    {
        var defaults = ServeOptionsParser.Parse([_script, "--trust-proxy-header", "x-forwarded-for", "--trust-proxy", "10.0.0.0/8"]).MainServer.Defaults;
        Assert.Equal(["X-Forwarded-For"], defaults.TrustedProxyHeaders);
        Assert.Equal(["10.0.0.0/8"], defaults.TrustedProxies);
        Assert.Contains("not a header mod_wsgi can trust", Assert.Throws<UsageException>(() => ServeOptionsParser.Parse([_script, "--trust-proxy-header", "X-Real"])).Message);
    }

    [Fact]
    public void TimeoutsOfTheServerAreTaken()
    {
        var model = ServeOptionsParser.Parse([_script, "--keep-alive-timeout", "2", "--socket-timeout", "30"]);
        Assert.Equal((2, 30), (model.KeepAliveTimeoutSeconds, model.TimeoutSeconds));
    }

    /// <summary>--https-port with the certificate: a TLS virtual host on that port serving what the plain port serves; --https-only makes the plain port redirect.</summary>
    [Fact]
    public void HttpsPortAddsATlsVirtualHostThatServesTheSameApp()
    {
        File.WriteAllText(Path.Combine(_dir, "site.crt"), "");
        File.WriteAllText(Path.Combine(_dir, "site.key"), "");
        var model = ServeOptionsParser.Parse([_script, "--port", "8000", "--https-port", "8443", "--ssl-certificate", Path.Combine(_dir, "site"), "--https-only", "--hsts-policy", "max-age=60"]);
        Assert.Equal([8000, 8443], model.Listeners.Select(l => l.Port));
        ServerScope tls = Assert.Single(model.VirtualHosts);
        Assert.Equal((Path.Combine(_dir, "site.crt"), Path.Combine(_dir, "site.key")), (tls.Tls?.CertificateFile, tls.Tls?.KeyFile));
        Assert.Equal(8443, Assert.Single(tls.Addresses).Port);
        Assert.Equal(model.MainServer.ScriptAliases, tls.ScriptAliases);
        Assert.Empty(tls.RewriteRules);
        Assert.Equal("Strict-Transport-Security", Assert.Single(tls.Defaults.ResponseHeaderEdits).Name);
        Assert.Equal(301, Assert.Single(model.MainServer.RewriteRules).Status);
        Assert.Empty(model.MainServer.Defaults.ResponseHeaderEdits);
        Assert.Empty(ServeOptionsParser.Parse([_script]).VirtualHosts);
    }

    [Theory]
    [InlineData(new[] { "--ssl-certificate-file", "a.crt" }, "--ssl-certificate-file needs --https-port N")]
    [InlineData(new[] { "--https-port", "8443" }, "--https-port needs the certificate")]
    [InlineData(new[] { "--https-port", "8000", "--ssl-certificate", "site" }, "--https-port 8000 is the port HTTP is served on already")]
    [InlineData(new[] { "--https-port", "8443", "--ssl-certificate", "/nonexistent/site" }, "'/nonexistent/site.crt' does not exist")]
    public void HttpsOptionsThatDoNotMakeAPortAreExplained(string[] options, string message) =>
        Assert.Contains(message, Assert.Throws<UsageException>(() => ServeOptionsParser.Parse([_script, .. options])).Message);
}
