using WsgiHost.Configuration.Model;

namespace WsgiHost.Tests.Configuration;

/// <summary>The list the per-directory settings append to: every version keeps what it had.</summary>
public sealed class AppendOnlyListTests
{
    [Fact]
    public void AppendingLeavesTheOlderVersionAsItWas()
    {
        IReadOnlyList<int> empty = [];
        var one = AppendOnlyList<int>.Append(empty, 1);
        var two = AppendOnlyList<int>.Append(one, 2);
        var three = AppendOnlyList<int>.Append(two, 3, 4);

        Assert.Empty(empty);
        Assert.Equal([1], one);
        Assert.Equal([1, 2], two);
        Assert.Equal([1, 2, 3, 4], three);
        Assert.Equal(4, three[3]);
        Assert.Throws<ArgumentOutOfRangeException>(() => two[2]);
    }

    [Fact]
    public void TwoVersionsAppendedToTheSameOlderOneDoNotOverwriteEachOther()
    {
        // A section's settings start from its scope's and each appends on its own, as in
        // SetEnv A in <Location /a> and SetEnv B in <Location /b> under one virtual host.
        var shared = AppendOnlyList<string>.Append([], "scope");
        var first = AppendOnlyList<string>.Append(shared, "a");
        var second = AppendOnlyList<string>.Append(shared, "b");
        var firstMore = AppendOnlyList<string>.Append(first, "a2");

        Assert.Equal(["scope"], shared);
        Assert.Equal(["scope", "a"], first);
        Assert.Equal(["scope", "b"], second);
        Assert.Equal(["scope", "a", "a2"], firstMore);
    }

    [Fact]
    public void ManyAppendsKeepEveryItemInOrder()
    {
        IReadOnlyList<int> list = [];
        var versions = new List<IReadOnlyList<int>>();
        for (int i = 0; i < 10_000; i++)
        {
            list = AppendOnlyList<int>.Append(list, i);
            versions.Add(list);
        }

        Assert.Equal(Enumerable.Range(0, 10_000), list);
        Assert.Equal(Enumerable.Range(0, 5_001), versions[5_000]);
    }

    [Fact]
    public void AnOrdinaryListIsCopiedNotChanged()
    {
        int[] array = [1, 2];
        var longer = AppendOnlyList<int>.Append(array, 3);

        Assert.Equal([1, 2], array);
        Assert.Equal([1, 2, 3], longer);
        Assert.Same(array, AppendOnlyList<int>.Append(array));
    }
}
