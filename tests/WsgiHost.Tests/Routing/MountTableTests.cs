using WsgiHost.Routing;

namespace WsgiHost.Tests.Routing;

public sealed class MountTableTests
{
    private static MountTable<string> Table(params (string, string)[] mounts) => new([], mounts);

    [Fact]
    public void TheRootMountGivesAnEmptyScriptName()
    {
        var m = Table(("/", "root")).Match("/a/b")!;
        Assert.Equal(("root", "", "/a/b"), (m.Target, m.ScriptName, m.PathInfo));
    }

    [Fact]
    public void PrefixesMatchWholeSegmentsOnly()
    {
        var table = Table(("/app", "app"), ("/", "root"));
        Assert.Equal(("app", "/app", ""), Tuple(table.Match("/app")!));
        Assert.Equal(("app", "/app", "/x"), Tuple(table.Match("/app/x")!));
        Assert.Equal(("root", "", "/application"), Tuple(table.Match("/application")!));
        Assert.Equal(("root", "", "/APP/x"), Tuple(table.Match("/APP/x")!)); // case-sensitive
    }

    [Fact]
    public void TheFirstMatchingMountWinsSoAnEarlyRootSwallowsEverything()
    {
        var table = Table(("/", "root"), ("/suburl", "sub"));
        Assert.Equal("root", table.Match("/suburl/x")!.Target);
    }

    [Fact]
    public void AliasesAreTriedBeforeEveryMountWhateverTheOrder()
    {
        var table = new MountTable<string>([("/static", "files")], [("/", "root")]);
        Assert.Equal("files", table.Match("/static/a.css")!.Target);
        Assert.Equal("root", table.Match("/staticx")!.Target);
    }

    [Fact]
    public void NothingMatchesOutsideTheMounts() => Assert.Null(Table(("/app", "app")).Match("/other"));

    [Fact]
    public void TrailingSlashesOnPrefixesAreIgnored() =>
        Assert.Equal(("app", "/app", "/x"), Tuple(Table(("/app/", "app")).Match("/app/x")!));

    private static (string, string, string) Tuple(MountMatch<string> m) => (m.Target, m.ScriptName, m.PathInfo);
}
