using WsgiHost.Configuration.Model;
using WsgiHost.Tests.Configuration.Syntax;

namespace WsgiHost.Tests.Configuration.Directives;

/// <summary>WSGIScriptAlias and the per-request WSGI directives.</summary>
public sealed class WsgiDirectiveTests : IDisposable
{
    private readonly TempConfigFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Script(string name = "app.wsgi") => _folder.Write(name, "def application(environ, start_response): pass\n");

    [Fact]
    public void ScriptAliasWithEveryOption()
    {
        string script = Script();
        var config = SiteText.Clean($$"""
            Listen 80
            WSGIDaemonProcess site
            WSGIScriptAlias /app {{script}} process-group=site application-group=%{GLOBAL} callable-object=app pass-authorization=On
            WSGIScriptAlias / {{script}}
            """);

        var aliases = config.MainServer.ScriptAliases;
        Assert.Equal(2, aliases.Count);
        var app = aliases[0];
        Assert.Equal("/app", app.UrlPattern);
        Assert.False(app.IsRegex);
        Assert.Equal(script, app.Target);
        Assert.Equal(new ScriptAliasOptions("site", "%{GLOBAL}", "app", true), app.Options);
        Assert.Equal(3, app.Location.Line);
        Assert.Equal("WSGIScriptAlias", app.DirectiveName);
        Assert.Equal(ScriptAliasOptions.None, aliases[1].Options);
        // Both groups static: the script is preloaded into the group's main interpreter.
        var preload = Assert.Single(config.ImportScripts);
        Assert.Equal(new ImportScriptConfig(script, "site", "", app.Location), preload);
    }

    [Fact]
    public void OptionNamesAreCaseInsensitiveAndPassAuthorizationTakesOff()
    {
        string script = Script();
        var config = SiteText.Clean($"Listen 80\nWSGIScriptAlias / {script} Application-Group=shop PASS-AUTHORIZATION=off");

        Assert.Equal(new ScriptAliasOptions(null, "shop", null, false), config.MainServer.ScriptAliases[0].Options);
        Assert.Empty(config.ImportScripts);
    }

    [Fact]
    public void ScriptAliasMatchKeepsATemplatedTarget()
    {
        var config = SiteText.Clean("Listen 80\nWSGIScriptAliasMatch ^/([^/]+) /srv/apps/$1.wsgi process-group=%{GLOBAL} application-group=%{RESOURCE}");

        var alias = Assert.Single(config.MainServer.ScriptAliases);
        Assert.True(alias.IsRegex);
        Assert.Equal("^/([^/]+)", alias.UrlPattern);
        Assert.Equal("/srv/apps/$1.wsgi", alias.Target);
        Assert.Equal("WSGIScriptAliasMatch", alias.DirectiveName);
        Assert.Empty(config.ImportScripts);
    }

    [Theory]
    [InlineData("proces-group=site", "unknown option 'proces-group'", "did you mean process-group=?")]
    [InlineData("bogus=1", "unknown option 'bogus'", "the options are process-group=, application-group=, callable-object=, pass-authorization=")]
    [InlineData("process-group=", "option 'process-group=' has an empty value", "give a value, or remove process-group=")]
    [InlineData("process-group", "'process-group' is not an option=value", "the options are process-group=, application-group=, callable-object=, pass-authorization=")]
    [InlineData("application-group=a application-group=b", "option 'application-group' is given twice", "keep one")]
    [InlineData("pass-authorization=yes", "pass-authorization= must be On or Off, got 'yes'", "pass-authorization=On  or  pass-authorization=Off")]
    [InlineData("application-group=%{BOGUS}", "unknown label '%{BOGUS}'", "use %{GLOBAL}, %{RESOURCE}, %{SERVER}, %{HOST} or %{ENV:VAR}")]
    [InlineData("callable-object=app.server", "'app.server' is not a Python identifier; the callable must be a module-level name of the script", "for app.server, add 'application = app.server' to the script and name 'application'")]
    public void ScriptAliasOptionErrors(string options, string message, string fix)
    {
        string script = Script();
        var error = SiteText.Error($"Listen 80\nWSGIScriptAlias / {script} {options}");

        error.At(2, "WSGIScriptAlias");
        Assert.Equal(message, error.Message);
        Assert.Equal(fix, error.Fix);
    }

    [Fact]
    public void ScriptAliasUrlMustStartWithASlash()
    {
        var error = SiteText.Error("Listen 80\nWSGIScriptAlias app /srv/app.wsgi");

        error.At(2, "WSGIScriptAlias");
        Assert.Equal("WSGIScriptAlias /app /srv/app.wsgi", error.Fix);
    }

    [Fact]
    public void ScriptAliasMatchRegexMustCompile()
    {
        var error = SiteText.Error("Listen 80\nWSGIScriptAliasMatch ^/(x /srv/$1.wsgi");

        error.At(2, "WSGIScriptAliasMatch", hasFix: false);
    }

    [Fact]
    public void AMissingScriptIsAWarning()
    {
        var warning = SiteText.Warning("Listen 80\nWSGIScriptAlias /app /nonexistent/app.wsgi");

        warning.At(2, "WSGIScriptAlias");
        Assert.Equal("'/nonexistent/app.wsgi' does not exist; requests for /app will get 404 until it does", warning.Message);
    }

    [Theory]
    [InlineData("/app/", "app.wsgi")]
    [InlineData("/app", "apps/")]
    public void ATrailingSlashOnOneSideOnlyIsAWarning(string url, string target)
    {
        _folder.Write("apps/x.wsgi", "");
        string path = Script();
        string written = target.EndsWith('/') ? _folder.PathOf("apps") + "/" : path;
        var warning = SiteText.Warning($"Listen 80\nWSGIScriptAlias {url} {written}");

        warning.At(2, "WSGIScriptAlias");
        Assert.Equal($"'{url}' and '{written}' disagree on a trailing slash, which breaks URLs below the mount in Apache", warning.Message);
    }

    [Fact]
    public void MatchingTrailingSlashesAndTheRootAreFine()
    {
        _folder.Write("apps/x.wsgi", "");
        string script = Script();
        SiteText.Clean($"Listen 80\nWSGIScriptAlias /apps/ {_folder.PathOf("apps")}/\nWSGIScriptAlias /app {script}\nWSGIScriptAlias / {script}");
    }

    [Fact]
    public void AScriptWrittenWithATrailingSlashIsTheScriptWithPathInfoAfterIt()
    {
        // mod_wsgi's documented form for a mount with a trailing slash: both sides end in one.
        string script = Script();
        var config = SiteText.Clean($"Listen 80\nWSGIScriptAlias /app/ {script}/");

        var alias = Assert.Single(config.MainServer.ScriptAliases);
        Assert.Equal(script, alias.Target);
        Assert.Equal("/", alias.PathAfterScript);
        var mapper = new WsgiHost.Routing.UrlMapper([], config.MainServer.ScriptAliases, File.Exists, Directory.Exists);
        var page = mapper.Map("/app/a/b")!;
        Assert.Equal((script, "/app", "/a/b"), (page.FilePath, page.ScriptName, page.PathInfo));
        var root = mapper.Map("/app/")!;
        Assert.Equal((script, "/app", "/"), (root.FilePath, root.ScriptName, root.PathInfo));
        Assert.Null(mapper.Map("/app"));
    }

    [Fact]
    public void ATargetNamingAPathBelowItsScriptRunsTheScriptWithThatPathFirstInPathInfo()
    {
        // Fedora's FAS: WSGIScriptAlias /accounts /usr/sbin/fas.wsgi/accounts. Apache 2.4 +
        // mod_wsgi, checked side by side: SCRIPT_NAME '' and PATH_INFO '/accounts/login'.
        string script = Script("fas.wsgi");
        var config = SiteText.Clean($"Listen 80\nWSGIScriptAlias /accounts {script}/accounts\nWSGIScriptAlias /other {script}/fas");

        var alias = config.MainServer.ScriptAliases[0];
        Assert.Equal((script, "/accounts"), (alias.Target, alias.PathAfterScript));
        var mapper = new WsgiHost.Routing.UrlMapper([], config.MainServer.ScriptAliases, File.Exists, Directory.Exists);
        var login = mapper.Map("/accounts/login")!;
        Assert.Equal((script, "", "/accounts/login"), (login.FilePath, login.ScriptName, login.PathInfo));
        var top = mapper.Map("/accounts")!;
        Assert.Equal((script, "", "/accounts"), (top.FilePath, top.ScriptName, top.PathInfo));
        // Not the URL's tail: the mount stays SCRIPT_NAME, as Apache's ap_find_path_info cuts it.
        var other = mapper.Map("/other/x")!;
        Assert.Equal((script, "/other", "/fas/x"), (other.FilePath, other.ScriptName, other.PathInfo));
    }

    [Fact]
    public void ATargetBelowAFolderThatDoesNotExistIsStillAWarning()
    {
        string folder = _folder.PathOf("apps");
        Directory.CreateDirectory(folder);
        var warning = SiteText.Warning($"Listen 80\nWSGIScriptAlias /x {folder}/missing.wsgi/deeper");

        warning.At(2, "WSGIScriptAlias");
        Assert.Equal($"'{folder}/missing.wsgi/deeper' does not exist; requests for /x will get 404 until it does", warning.Message);
    }

    [Theory]
    [InlineData("WSGIProcessGroup", "%{GLOBAL}")]
    [InlineData("WSGIProcessGroup", "%{ENV:GROUP}")]
    [InlineData("WSGIProcessGroup", "%{RESOURCE}")]
    [InlineData("WSGIProcessGroup", "%{SERVER}")]
    [InlineData("WSGIProcessGroup", "%{HOST}")]
    [InlineData("WSGIProcessGroup", "site")]
    [InlineData("WSGIApplicationGroup", "%{GLOBAL}")]
    [InlineData("WSGIApplicationGroup", "%{RESOURCE}")]
    [InlineData("WSGIApplicationGroup", "%{SERVER}")]
    [InlineData("WSGIApplicationGroup", "%{HOST}")]
    [InlineData("WSGIApplicationGroup", "%{ENV:APP}")]
    [InlineData("WSGIApplicationGroup", "shop")]
    public void ValidGroupLabels(string directive, string label)
    {
        var config = SiteText.Clean($"Listen 80\nWSGIDaemonProcess site\n<Location />\n  {directive} {label}\n</Location>");

        var settings = config.MainServer.Sections[0].Payload.Settings;
        Assert.Equal(label, directive == "WSGIProcessGroup" ? settings.ProcessGroup : settings.ApplicationGroup);
    }

    [Theory]
    [InlineData("WSGIProcessGroup", "%{BOGUS}")]
    [InlineData("WSGIApplicationGroup", "%{BOGUS}")]
    [InlineData("WSGIApplicationGroup", "%{ENV:}")]
    [InlineData("WSGIProcessGroup", "%{global}")]
    public void UnknownGroupLabels(string directive, string label)
    {
        var error = SiteText.Error($"Listen 80\n{directive} {label}");

        error.At(2, directive);
        Assert.Equal($"unknown label '{label}'", error.Message);
    }

    [Theory]
    [InlineData("app")]
    [InlineData("_make_app2")]
    [InlineData("%{ENV:CALLABLE}")]
    public void CallableObjectNames(string name) =>
        Assert.Equal(name, SiteText.Clean($"Listen 80\nWSGICallableObject {name}").MainServer.Defaults.CallableObject);

    [Theory]
    [InlineData("app.server")]
    [InlineData("app()")]
    [InlineData("2app")]
    public void CallableObjectMustBeAModuleLevelName(string name)
    {
        var error = SiteText.Error($"Listen 80\nWSGICallableObject {name}");

        error.At(2, "WSGICallableObject");
        Assert.Equal($"'{name}' is not a Python identifier; the callable must be a module-level name of the script", error.Message);
    }

    [Theory]
    [InlineData("On", MapHeadToGet.On)]
    [InlineData("off", MapHeadToGet.Off)]
    [InlineData("AUTO", MapHeadToGet.Auto)]
    public void MapHeadToGetValues(string value, object expected) =>
        // object, not MapHeadToGet: the enum is internal and xunit needs a public method.
        Assert.Equal((MapHeadToGet)expected, SiteText.Clean($"Listen 80\nWSGIMapHEADToGET {value}").MainServer.Defaults.MapHeadToGet);

    [Fact]
    public void MapHeadToGetRefusesOtherValues()
    {
        var error = SiteText.Error("Listen 80\nWSGIMapHEADToGET Maybe");

        error.At(2, "WSGIMapHEADToGET", hasFix: false);
        Assert.Equal("must be On, Off or Auto, got 'Maybe'", error.Message);
    }

    [Fact]
    public void PerRequestSwitches()
    {
        var settings = SiteText.Clean("""
            Listen 80
            <Directory /srv/app>
              WSGIPassAuthorization On
              WSGIChunkedRequest On
              WSGIScriptReloading Off
              WSGIRestrictProcess site %{GLOBAL}
            </Directory>
            """).MainServer.Sections[0].Payload.Settings;

        Assert.True(settings.PassAuthorization);
        Assert.True(settings.ChunkedRequest);
        Assert.False(settings.ScriptReloading);
        Assert.Equal(["site", ""], settings.RestrictProcess);

        SiteText.Error("Listen 80\nWSGIChunkedRequest maybe").At(2, "WSGIChunkedRequest");
    }

    [Fact]
    public void RestrictEmbeddedIsServerWide()
    {
        Assert.True(SiteText.Clean("Listen 80\nWSGIRestrictEmbedded On").RestrictEmbedded);
        Assert.False(SiteText.Clean("Listen 80").RestrictEmbedded);
        SiteText.Error("Listen 80\n<VirtualHost *:80>\n  WSGIRestrictEmbedded On\n</VirtualHost>").At(3, "WSGIRestrictEmbedded");
    }

    [Fact]
    public void SubInterpreterGilIsSharedUnlessOwn()
    {
        Assert.False(SiteText.Clean("Listen 80").Python.OwnGil);
        Assert.True(SiteText.Clean("Listen 80\nWSGISubInterpreterGIL own").Python.OwnGil);
        Assert.False(SiteText.Clean("Listen 80\nWSGISubInterpreterGIL Shared").Python.OwnGil);
        var error = SiteText.Error("Listen 80\nWSGISubInterpreterGIL separate");
        error.At(2, "WSGISubInterpreterGIL");
        Assert.Contains("must be Shared or Own, got 'separate'", error.Message, StringComparison.Ordinal);
        SiteText.Error("Listen 80\n<VirtualHost *:80>\n  WSGISubInterpreterGIL Own\n</VirtualHost>").At(3, "WSGISubInterpreterGIL");
    }

    [Fact]
    public void ApplicationInterpretersIsACountFromOneTo64()
    {
        Assert.Equal(1, SiteText.Clean("Listen 80").Python.ApplicationInterpreters);
        Assert.Equal(4, SiteText.Clean("Listen 80\nWSGIApplicationInterpreters 4").Python.ApplicationInterpreters);
        foreach (string bad in new[] { "0", "65", "two", "-1" })
        {
            var error = SiteText.Error($"Listen 80\nWSGIApplicationInterpreters {bad}");
            error.At(2, "WSGIApplicationInterpreters");
            Assert.Equal($"must be a whole number from 1 to 64, got '{bad}'", error.Message);
        }
        // Server-wide, as the embedded Python is: not inside a virtual host.
        SiteText.Error("Listen 80\n<VirtualHost *:80>\n  WSGIApplicationInterpreters 2\n</VirtualHost>").At(3, "WSGIApplicationInterpreters");
    }

    [Fact]
    public void ImportScriptNeedsBothGroups()
    {
        string script = Script();
        var config = SiteText.Clean($"Listen 80\nWSGIDaemonProcess site\nWSGIImportScript {script} process-group=site application-group=%{{GLOBAL}}");
        Assert.Equal(new ImportScriptConfig(script, "site", "", new("site.conf", 3)), Assert.Single(config.ImportScripts));

        var count = SiteText.Error($"Listen 80\nWSGIImportScript {script} process-group=%{{GLOBAL}}");
        count.At(2, "WSGIImportScript");
        Assert.Equal("takes 3 argument(s), got 2", count.Message);

        var errors = SiteText.Errors($"Listen 80\nWSGIImportScript {script} process-group=%{{GLOBAL}} application=x");
        Assert.Equal(["unknown option 'application'", "both process-group= and application-group= are required"], errors.Select(e => e.Message));
        errors[1].At(2, "WSGIImportScript");
    }

    [Fact]
    public void ImportScriptErrors()
    {
        string script = Script();
        var labels = SiteText.Error($"Listen 80\nWSGIImportScript {script} process-group=%{{GLOBAL}} application-group=%{{RESOURCE}}");
        labels.At(2, "WSGIImportScript", hasFix: false);
        Assert.Equal("the groups of an imported script must be names or %{GLOBAL}, not labels resolved per request", labels.Message);

        var missing = SiteText.Error("Listen 80\nWSGIImportScript /nonexistent.wsgi process-group=%{GLOBAL} application-group=%{GLOBAL}");
        missing.At(2, "WSGIImportScript");
        Assert.Equal("script '/nonexistent.wsgi' does not exist", missing.Message);

        var group = SiteText.Error($"Listen 80\nWSGIImportScript {script} process-group=nosuch application-group=%{{GLOBAL}}");
        group.At(2, "WSGIImportScript");
        Assert.Equal("no WSGIDaemonProcess defines the group 'nosuch'", group.Message);
    }

    [Fact]
    public void PythonHomeAndPath()
    {
        var config = SiteText.Clean($"Listen 80\nWSGIPythonHome {_folder.Root}\nWSGIPythonPath /srv/a:/srv/b\nWSGIPythonPath /srv/c");

        Assert.Equal(_folder.Root, config.Python.Home);
        Assert.Equal(["/srv/a", "/srv/b", "/srv/c"], config.Python.Path);
    }

    [Fact]
    public void PythonHomeMustBeAFolder()
    {
        var error = SiteText.Error("Listen 80\nWSGIPythonHome /nonexistent/venv");

        error.At(2, "WSGIPythonHome");
        Assert.Equal("'/nonexistent/venv' is not a folder", error.Message);
    }

    [Fact]
    public void PythonHomeInsideAVirtualHostIsAnError()
    {
        var error = SiteText.Error($"Listen 80\n<VirtualHost *:80>\n  WSGIPythonHome {_folder.Root}\n</VirtualHost>");

        error.At(3, "WSGIPythonHome");
        Assert.Equal("not allowed directly in <VirtualHost>", error.Message);
        Assert.Equal("move WSGIPythonHome outside every <VirtualHost> and section", error.Fix);
    }

    [Fact]
    public void TrustedProxyHeadersAndProxiesAppendAndAreChecked()
    {
        var config = SiteText.Clean("Listen 80\nWSGITrustedProxyHeaders x-forwarded-for\nWSGITrustedProxyHeaders X-Forwarded-Proto\nWSGITrustedProxies 10.0.0.0/8\nWSGITrustedProxies 192.0.2.1");
        Assert.Equal(["X-Forwarded-For", "X-Forwarded-Proto"], config.MainServer.Defaults.TrustedProxyHeaders);
        Assert.Equal(["10.0.0.0/8", "192.0.2.1"], config.MainServer.Defaults.TrustedProxies);

        var header = SiteText.Error("Listen 80\nWSGITrustedProxyHeaders X-Forwarded-Fro");
        header.At(2, "WSGITrustedProxyHeaders");
        Assert.Equal("'X-Forwarded-Fro' is not a header mod_wsgi can trust", header.Message);
        Assert.Equal("did you mean X-Forwarded-For?", header.Fix);

        var proxy = SiteText.Error("Listen 80\nWSGITrustedProxies 10.0.0.300");
        proxy.At(2, "WSGITrustedProxies");
        Assert.StartsWith("'10.0.0.300' is not an IP address or network", proxy.Message, StringComparison.Ordinal);
    }
}
