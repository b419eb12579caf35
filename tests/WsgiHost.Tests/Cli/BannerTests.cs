using WsgiHost.Cli.Commands;

namespace WsgiHost.Tests.Cli;

/// <summary>The startup banner's mode line says what runs, not only what was asked.</summary>
public sealed class BannerTests
{
    [Theory]
    [InlineData(1, "Python 3.13.0 (/x/python3, /x/libpython3.13.so)", "")]
    [InlineData(2, "Python 3.13.0 (/x/python3, /x/libpython3.13.so)", " in 2 interpreters with a GIL each")]
    [InlineData(2, "Python 3.11.2 (/usr/bin/python3, /usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0)", " in 1 interpreter (2 asked for: that needs Python 3.13 or later)")]
    [InlineData(3, "Python 3.11.2 (/usr/bin/python3, ...) in the daemon workers, not loaded in the server process (WSGIRestrictEmbedded On)", " in 1 interpreter (3 asked for: that needs Python 3.13 or later)")]
    public void InterpretersAreTheOnesThatRun(int asked, string python, string expected) =>
        Assert.Equal(expected, ServeCommand.Interpreters(asked, python));
}
