using WsgiHost.Configuration.Model;
using WsgiHost.Daemon;
using WsgiHost.Tests.Configuration.Directives;

namespace WsgiHost.Tests.Daemon;

/// <summary>script-user= and script-group=: which scripts a daemon group may run (mod_wsgi's checks, on real files).</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ScriptOwnershipTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wsgihost-owner-").FullName;
    private readonly string _script;
    // The files' owner: this user, or as root (which script-user= may not name) uid and gid 4242.
    private readonly string _uid = Id("Uid:");
    private readonly string _gid = Id("Gid:");

    public ScriptOwnershipTests()
    {
        _script = Path.Combine(_dir, "app.wsgi");
        File.WriteAllText(_script, "");
        File.SetUnixFileMode(_script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        if (_uid == "0")
        {
            DaemonIdentity.GiveTo(_script, 4242, 4242);
            DaemonIdentity.GiveTo(_dir, 4242, 4242);
            (_uid, _gid) = ("4242", "4242");
        }
    }

    private static string Id(string field) =>
        File.ReadLines("/proc/self/status").First(l => l.StartsWith(field, StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static DaemonGroupConfig Group(string option) =>
        SiteText.Config($"Listen 80\nWSGIDaemonProcess site {option}").DaemonGroups[0];

    [Fact]
    public void AGroupWithoutEitherRunsAnyScript() =>
        Assert.Null(ScriptOwnership.For(Group("threads=2")));

    [Fact]
    public void AScriptTheUserOwnsInAFolderItOwnsRuns() =>
        Assert.Null(ScriptOwnership.For(Group($"script-user=#{_uid}"))!.Refusal(_script));

    [Fact]
    public void AScriptAnotherUserOwnsIsRefused() =>
        Assert.Equal($"Owner of WSGI script file does not match required user for daemon process, user=#4343 (uid {_uid} owns it): {_script}",
            ScriptOwnership.For(Group("script-user=#4343"))!.Refusal(_script));

    [Fact]
    public void AScriptItsGroupMayChangeIsRefusedForScriptUser()
    {
        File.SetUnixFileMode(_script, File.GetUnixFileMode(_script) | UnixFileMode.GroupWrite);
        Assert.Equal($"WSGI script file is writable to group: {_script}", ScriptOwnership.For(Group($"script-user=#{_uid}"))!.Refusal(_script));
        // script-group= lets the group write; not the world.
        Assert.Null(ScriptOwnership.For(Group($"script-group=#{_gid}"))!.Refusal(_script));
        File.SetUnixFileMode(_script, File.GetUnixFileMode(_script) | UnixFileMode.OtherWrite);
        Assert.Equal($"WSGI script file is writable to world: {_script}", ScriptOwnership.For(Group($"script-group=#{_gid}"))!.Refusal(_script));
    }

    [Fact]
    public void AFolderTheWorldMayChangeIsRefused()
    {
        File.SetUnixFileMode(_dir, File.GetUnixFileMode(_dir) | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);
        Assert.Equal($"Parent directory of WSGI script file is writable to world: {_dir}", ScriptOwnership.For(Group($"script-user=#{_uid}"))!.Refusal(_script));
    }
}
