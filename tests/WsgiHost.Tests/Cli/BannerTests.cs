using WsgiHost.Cli.Commands;

namespace WsgiHost.Tests.Cli;

/// <summary>The startup banner's mode line says what runs, not only what was asked.</summary>
public sealed class BannerTests
{
    [Theory]
    [InlineData(1, true, "")]
    [InlineData(2, true, " in 2 interpreters with a GIL each")]
    [InlineData(2, false, " in 1 interpreter (2 asked for: that needs Python 3.13 or later)")]
    [InlineData(3, false, " in 1 interpreter (3 asked for: that needs Python 3.13 or later)")]
    public void InterpretersAreTheOnesThatRun(int asked, bool possible, string expected) =>
        Assert.Equal(expected, ServeCommand.Interpreters(asked, possible));

    [Theory]
    [InlineData("3.11.2", false)]
    [InlineData("3.12.1", false)]
    [InlineData("3.13.0", true)]
    [InlineData("3.14.0", true)]
    public void SeveralInterpretersNeedPython313(string version, bool runs) =>
        Assert.Equal(runs, WsgiHost.Python.Runtime.PythonRuntime.RunsIsolatedInterpreters(version));
}
