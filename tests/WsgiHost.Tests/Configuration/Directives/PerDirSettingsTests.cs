using WsgiHost.Configuration.Model;

namespace WsgiHost.Tests.Configuration.Directives;

/// <summary>Merging per-directory settings the way Apache merges scopes: later (more specific) wins, unset inherits.</summary>
public sealed class PerDirSettingsTests
{
    [Fact]
    public void LaterSetValuesWinAndUnsetOnesInherit()
    {
        var server = new PerDirSettings
        {
            ProcessGroup = "site", ApplicationGroup = "%{GLOBAL}", CallableObject = "app", PassAuthorization = false,
            ChunkedRequest = false, MapHeadToGet = MapHeadToGet.Auto, ScriptReloading = true, LimitRequestBody = 100,
            RestrictProcess = ["site"], SslRequireSsl = false,
        };
        var location = new PerDirSettings { ProcessGroup = "admin", LimitRequestBody = 0, MapHeadToGet = MapHeadToGet.Off, SslRequireSsl = true };

        var merged = server.Merge(location);

        Assert.Equal("admin", merged.ProcessGroup);
        Assert.Equal("%{GLOBAL}", merged.ApplicationGroup);
        Assert.Equal("app", merged.CallableObject);
        Assert.False(merged.PassAuthorization);
        Assert.False(merged.ChunkedRequest);
        Assert.Equal(MapHeadToGet.Off, merged.MapHeadToGet);
        Assert.True(merged.ScriptReloading);
        Assert.Equal(0, merged.LimitRequestBody);
        Assert.Equal(["site"], merged.RestrictProcess);
        Assert.True(merged.SslRequireSsl);
    }

    [Fact]
    public void MergingWithEmptyChangesNothing()
    {
        var settings = new PerDirSettings { ProcessGroup = "site", SetEnv = [new("A", "1")] };

        Assert.Same(settings, settings.Merge(PerDirSettings.Empty));
        Assert.Same(settings, PerDirSettings.Empty.Merge(settings));
        foreach (var merged in new[] { new PerDirSettings().Merge(settings), settings.Merge(new PerDirSettings()) })
        {
            Assert.Equal("site", merged.ProcessGroup);
            Assert.Equal(settings.SetEnv, merged.SetEnv);
        }
    }

    [Fact]
    public void MergingIsNotCommutative()
    {
        var a = new PerDirSettings { ProcessGroup = "a" };
        var b = new PerDirSettings { ProcessGroup = "b" };

        Assert.Equal("b", a.Merge(b).ProcessGroup);
        Assert.Equal("a", b.Merge(a).ProcessGroup);
    }

    [Fact]
    public void SetEnvAccumulatesAndTheLaterValueWins()
    {
        var server = new PerDirSettings { SetEnv = [new("A", "1"), new("B", "2")] };
        var vhost = new PerDirSettings { SetEnv = [new("A", "vhost"), new("C", "3")] };

        var environment = server.Merge(vhost).EffectiveEnvironment();

        Assert.Equal([new("A", "vhost"), new("B", "2"), new("C", "3")], environment);
    }

    [Fact]
    public void UnsetEnvRemovesWhatEarlierScopesSet()
    {
        var server = new PerDirSettings { SetEnv = [new("A", "1"), new("B", "2")] };
        var location = new PerDirSettings { SetEnv = [new("A", null)] };

        Assert.Equal([new("B", "2")], server.Merge(location).EffectiveEnvironment());
    }

    [Fact]
    public void ASetEnvAfterUnsetEnvComesBackOnceAtTheEnd()
    {
        // As mod_env's apr_table_unset then apr_table_setn: removed, then appended.
        var settings = new PerDirSettings { SetEnv = [new("A", "1"), new("B", "2"), new("A", null), new("A", "3")] };

        Assert.Equal([new("B", "2"), new("A", "3")], settings.EffectiveEnvironment());
    }

    [Fact]
    public void AnUnsetInALaterScopeThenASetInAnotherComesBackOnce()
    {
        var server = new PerDirSettings { SetEnv = [new("A", "1"), new("B", "2")] };
        var vhost = new PerDirSettings { SetEnv = [new("A", null)] };
        var location = new PerDirSettings { SetEnv = [new("A", "3")] };

        Assert.Equal([new("B", "2"), new("A", "3")], server.Merge(vhost).Merge(location).EffectiveEnvironment());
    }

    [Fact]
    public void TheFirstSetOrderIsKept()
    {
        var settings = new PerDirSettings { SetEnv = [new("Z", "1"), new("A", "2"), new("M", "3"), new("Z", "4"), new("UNSET", null)] };

        Assert.Equal([new("Z", "4"), new("A", "2"), new("M", "3")], settings.EffectiveEnvironment());
    }
}
