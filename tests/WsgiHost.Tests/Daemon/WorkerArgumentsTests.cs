using WsgiHost.Daemon;
using WsgiHost.Python.Runtime;
using WsgiHost.Tests.Configuration.Directives;

namespace WsgiHost.Tests.Daemon;

/// <summary>The arguments a front gives a worker, on a command line or through the startup hook's variable.</summary>
public sealed class WorkerArgumentsTests
{
    [Fact]
    public void TheStartupHookVariableCarriesEveryArgumentExactly()
    {
        string[] args = ["worker", "--group", "a b", "", "--python-path", "/srv/ünï/cödé", "--display-name", "x=y;z\t\"q\"", "-"];
        Assert.Equal(args, StartupHookLauncher.Decode(StartupHookLauncher.Encode(args)));
        Assert.Empty(StartupHookLauncher.Decode(StartupHookLauncher.Encode([])));
    }

    [Fact]
    public void OptionsParseIntoTheWorkersSettings()
    {
        var (options, errorLog, level, _) = WorkerMain.Parse(
            ["--socket", "/tmp/s.sock", "--group", "g", "--threads", "3", "--multiprocess", "--maximum-requests", "10", "--memory-limit", "1000000000",
             "--python-path", "/a", "--python-path", "/b", "--import", "/x.wsgi", "--import-group", "", "--error-log", "/var/log/e", "--log-level", "Debug",
             "--send-buffer-size", "4096", "--receive-buffer-size", "8192"], "s3cret");
        Assert.Equal(("/tmp/s.sock", "g", 3, true, 10, 1000000000L), (options.SocketPath, options.Group, options.Threads, options.MultiProcess, options.MaximumRequests, options.MemoryLimit));
        Assert.Equal((4096, 8192), (options.SendBufferSize, options.ReceiveBufferSize));
        Assert.Equal(["/a", "/b"], options.PythonPath);
        Assert.Equal([("/x.wsgi", "")], options.Imports);
        Assert.Equal("s3cret", options.Secret);
        Assert.Equal(("/var/log/e", ErrorLogLevel.Debug), (errorLog, level));
    }

    /// <summary>A group's sys.path gets its python-path= and not WSGIPythonPath, which is the server process's (mod_wsgi gives it no daemon process).</summary>
    [Fact]
    public void AGroupTakesItsOwnPythonPathOnly()
    {
        var site = SiteText.Clean("Listen 80\nWSGIPythonPath /srv/embedded\nWSGIDaemonProcess a python-path=/srv/a\nWSGIDaemonProcess b");
        List<string> PythonPath(string group)
        {
            List<string> args = DaemonGroups.WorkerArguments(site, site.DaemonGroups.Single(g => g.Name == group));
            return [.. args.Select((a, i) => (a, i)).Where(p => p.a == "--python-path").Select(p => args[p.i + 1])];
        }
        Assert.Equal(["/srv/a"], PythonPath("a"));
        Assert.Empty(PythonPath("b"));
    }

    /// <summary>supplementary-groups=, python-eggs= and cpu-priority= reach the worker, which applies them before Python starts.</summary>
    [Fact]
    public void IdentityAndEnvironmentOptionsReachTheWorker()
    {
        var site = SiteText.Clean("Listen 80\nWSGIDaemonProcess a supplementary-groups=www-data,#44 python-eggs=/srv/eggs cpu-priority=-5");
        List<string> args = DaemonGroups.WorkerArguments(site, site.DaemonGroups[0]);
        var (options, _, _, _) = WorkerMain.Parse([.. args.Skip(1), "--socket", "/tmp/s.sock"], "s");

        Assert.Equal(("www-data,#44", "/srv/eggs", -5), (options.SupplementaryGroups, options.PythonEggs, options.CpuPriority));
    }

    /// <summary>A group's interpreters= wins over WSGIApplicationInterpreters; one interpreter is the worker's default and not passed.</summary>
    [Fact]
    public void TheWorkerRunsEachApplicationInTheGroupsInterpreters()
    {
        var site = SiteText.Clean("Listen 80\nWSGIApplicationInterpreters 3\nWSGIDaemonProcess a\nWSGIDaemonProcess b interpreters=2\nWSGIDaemonProcess c interpreters=1");
        string[] Interpreters(string group)
        {
            List<string> args = DaemonGroups.WorkerArguments(site, site.DaemonGroups.Single(g => g.Name == group));
            int at = args.IndexOf("--interpreters");
            return at < 0 ? [] : [args[at + 1]];
        }
        Assert.Equal(["3"], Interpreters("a"));
        Assert.Equal(["2"], Interpreters("b"));
        Assert.Empty(Interpreters("c"));
        Assert.Equal(2, WorkerMain.Parse(["--socket", "/s", "--group", "b", "--interpreters", "2"], "s").Options.ApplicationInterpreters);
        Assert.Equal(1, WorkerMain.Parse(["--socket", "/s", "--group", "c"], "s").Options.ApplicationInterpreters);
    }

    [Theory]
    [InlineData("--group g", "needs --socket and --group")]
    [InlineData("--socket /s --group g --bogus", "unknown worker option '--bogus'")]
    [InlineData("--socket /s --group g --threads", "--threads needs a value")]
    [InlineData("--socket /s --group g --import /x.wsgi", "--import SCRIPT must be followed by --import-group GROUP")]
    public void BadArgumentsAreUsageErrors(string args, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => WorkerMain.Parse(args.Split(' '), "s"));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
