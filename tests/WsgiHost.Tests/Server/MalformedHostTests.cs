using WsgiHost.Server;

namespace WsgiHost.Tests.Server;

/// <summary>The Host headers Apache answers 400 that Kestrel lets through (QA, side by side with Apache 2.4.71).</summary>
public sealed class MalformedHostTests
{
    [Theory]
    [InlineData("a..test")]
    [InlineData("a.test..")]
    [InlineData("a.test:0")]
    [InlineData("a.test:99999")]
    [InlineData("a.test:65536")]
    [InlineData("a.test:8o")]
    [InlineData("a/b.test")]
    [InlineData("a\\b.test")]
    [InlineData("[::1]:0")]
    [InlineData("[::1]:70000")]
    public void MalformedHostsAreRefused(string host) => Assert.True(MalformedHost.Check(host));

    [Theory]
    [InlineData("")]
    [InlineData("a.test")]
    [InlineData("a.test.")]          // a trailing dot is the same name
    [InlineData("A.Test:8080")]
    [InlineData("a.test:")]          // an empty port is allowed
    [InlineData("a.test:65535")]
    [InlineData("127.0.0.1:1")]
    [InlineData("[::1]")]
    [InlineData("[::1]:8443")]
    [InlineData("localhost")]
    public void GoodHostsPass(string host)
    {
        Assert.False(MalformedHost.Check(host));
        Assert.False(MalformedHost.Check(host)); // again, from the thread's last good one
    }
}
