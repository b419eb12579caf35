using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using WsgiHost.AspNetCore;

namespace WsgiHost.Tests.AspNetCore;

/// <summary>AddDaemonProcess takes WSGIDaemonProcess's options, with the same checks, when the host builds its services.</summary>
public sealed class DaemonProcessOptionsTests
{
    private static WsgiRuntime Runtime(Action<WsgiOptions> configure)
    {
        var options = new WsgiOptions();
        configure(options);
        return new WsgiRuntime(Options.Create(options), NullLoggerFactory.Instance);
    }

    [Theory]
    [InlineData("processes=0", "processes= must be a whole number from 1")]
    [InlineData("thread=4", "thread")]
    [InlineData("chroot=/srv", "chroot= is not supported")]
    public void AnInvalidOptionNamesItself(string groupOptions, string message)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Runtime(o => o.AddDaemonProcess("site", groupOptions)));
        Assert.StartsWith("AddDaemonProcess: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    /// <summary>WsgiOptions.Interpreters is WSGIApplicationInterpreters: from 1 to 64, checked when the host builds its services.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(65)]
    public void InterpretersOutOfRangeIsAnError(int interpreters)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Runtime(o => o.Interpreters = interpreters));
        Assert.Equal("WsgiOptions.Interpreters", error.ParamName);
    }

    [Fact]
    public void AGroupNameUsedTwiceIsAnError()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Runtime(o => o.AddDaemonProcess("site").AddDaemonProcess("site", "threads=2")));
        Assert.Contains("a daemon process group named 'site' is already defined", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidGroupsAreKnownByName()
    {
        using var runtime = Runtime(o => o.AddDaemonProcess("one", "processes=2 threads=4 maximum-requests=100").AddDaemonProcess("two words"));
        Assert.True(runtime.HasDaemonGroup("one"));
        Assert.True(runtime.HasDaemonGroup("two words"));
        Assert.False(runtime.HasDaemonGroup("three"));
    }
}
