using WsgiHost.Daemon;

namespace WsgiHost.Tests.Daemon;

/// <summary>Daemon group names become short, safe socket file names (a Unix socket path has at most 107 bytes).</summary>
public sealed class SocketNameTests
{
    [Fact]
    public void ShortNamesStayReadableAndLongOnesAreCutUniquely()
    {
        Assert.Equal("example.com", DaemonGroupRuntime.SafeName("example.com"));
        Assert.Equal("my_site__1", DaemonGroupRuntime.SafeName("my site/é1"));
        string a = DaemonGroupRuntime.SafeName("www.a-very-long-production-site-name.example.com-blue");
        string b = DaemonGroupRuntime.SafeName("www.a-very-long-production-site-name.example.com-green");
        Assert.True(a.Length <= 32 && b.Length <= 32);
        Assert.NotEqual(a, b);
        Assert.StartsWith("www.a-very-long-product", a);
    }
}
