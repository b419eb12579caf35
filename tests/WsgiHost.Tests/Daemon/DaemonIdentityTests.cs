using WsgiHost.Daemon;

namespace WsgiHost.Tests.Daemon;

/// <summary>The groups a worker (or the server, as User) runs with.</summary>
public sealed class DaemonIdentityTests
{
    private static readonly string[] GroupFile =
    [
        "root:x:0:",
        "www-data:x:33:deploy",
        "media:x:1001:alice,deploy",
        "staff:x:50:alice",
    ];

    /// <summary>As initgroups(3), which mod_wsgi and Apache's User call: the primary group, then every group that lists the user.</summary>
    [Fact]
    public void AUsersOwnGroupsComeWithIt()
    {
        Assert.Equal([1000u, 33, 1001], DaemonIdentity.SupplementaryGroups("deploy", 1000, null, GroupFile));
        Assert.Equal([50u, 1001], DaemonIdentity.SupplementaryGroups("alice", 50, null, GroupFile));
        Assert.Equal([7u], DaemonIdentity.SupplementaryGroups("nobody-listed", 7, null, GroupFile));
        Assert.Equal([7u], DaemonIdentity.SupplementaryGroups(null, 7, null, GroupFile));
    }

    /// <summary>supplementary-groups= replaces them, the primary group still first.</summary>
    [Fact]
    public void SupplementaryGroupsGivenReplaceTheUsersOwn() =>
        Assert.Equal([1000u, 44, 45], DaemonIdentity.SupplementaryGroups("deploy", 1000, "#44, #45", GroupFile));
}
