using WsgiHost.Routing;

namespace WsgiHost.Tests.Routing;

public sealed class GroupLabelsTests
{
    private static GroupLabels.RequestFacts Facts(int port = 8080, string script = "/Wiki", string? host = null) =>
        new("www.example.com", port, script, host, [new("SITE", "site-b"), new("INDIRECT", "%{SERVER}"), new("SITE", "site-a"), new("UNSET", "x"), new("UNSET", null)]);

    [Theory]
    [InlineData(null, 8080, "/Wiki", "www.example.com:8080|/wiki")]
    [InlineData("%{RESOURCE}", 80, "", "www.example.com|")]
    [InlineData("%{RESOURCE}", 443, "/app", "www.example.com|/app")]
    [InlineData("%{GLOBAL}", 8080, "/app", "")]
    [InlineData("%{SERVER}", 8080, "/app", "www.example.com:8080")]
    [InlineData("%{SERVER}", 80, "/app", "www.example.com")]
    [InlineData("%{ENV:SITE}", 80, "/app", "site-a")]
    [InlineData("%{ENV:INDIRECT}", 80, "/app", "www.example.com")]
    [InlineData("%{ENV:MISSING}", 80, "/app", "%{ENV:MISSING}")]
    [InlineData("%{ENV:UNSET}", 80, "/app", "%{ENV:UNSET}")]
    [InlineData("literal", 80, "/app", "literal")]
    public void ApplicationGroupsExpandAsModWsgiDoes(string? value, int port, string script, string expected) =>
        Assert.Equal(expected, GroupLabels.ExpandApplicationGroup(value, Facts(port, script)));

    [Fact]
    public void ResourceFollowsEachRequestsScriptAndPort()
    {
        // Each thread remembers its last expansion: a change of any part must give a new name.
        Assert.Equal("www.example.com:8080|/a", GroupLabels.ExpandApplicationGroup(null, Facts(8080, "/a")));
        Assert.Equal("www.example.com:8080|/b", GroupLabels.ExpandApplicationGroup(null, Facts(8080, "/b")));
        Assert.Equal("www.example.com:8081|/b", GroupLabels.ExpandApplicationGroup(null, Facts(8081, "/b")));
        Assert.Equal("www.example.com:8080|/a", GroupLabels.ExpandApplicationGroup(null, Facts(8080, "/a")));
        Assert.Equal("other.example.com:8080|/a", GroupLabels.ExpandApplicationGroup(null, Facts(8080, "/a") with { ServerName = "other.example.com" }));
    }

    [Fact]
    public void HostUsesTheHostHeaderName() =>
        Assert.Equal("alias.example.com:8080", GroupLabels.ExpandApplicationGroup("%{HOST}", Facts(host: "alias.example.com:8080")));

    [Fact]
    public void AnUnsetProcessGroupIsEmbedded()
    {
        Assert.Equal("", GroupLabels.ExpandProcessGroup(null, Facts()));
        Assert.Equal("", GroupLabels.ExpandProcessGroup("%{GLOBAL}", Facts()));
        Assert.Equal("site", GroupLabels.ExpandProcessGroup("site", Facts()));
    }

    [Theory]
    [InlineData("%{GLOBAL}", true)]
    [InlineData("name", true)]
    [InlineData("%{RESOURCE}", false)]
    [InlineData("%{ENV:X}", false)]
    [InlineData(null, false)]
    public void OnlyStaticValuesAllowPreloading(string? value, bool isStatic) => Assert.Equal(isStatic, GroupLabels.IsStatic(value));
}
