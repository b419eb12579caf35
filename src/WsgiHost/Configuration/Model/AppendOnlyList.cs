using System.Collections;

namespace WsgiHost.Configuration.Model;

/// <summary>
/// An immutable list that appends in amortised O(1): the per-directory settings are records
/// rebuilt with <c>with</c> for every directive, and a list-valued setting (SetEnv, SetEnvIf,
/// Header, ...) copied whole on each line made a config with 40,000 SetEnv lines take 13 s to
/// read. Appending to the newest version of a list writes into spare room of the array it
/// shares with the older versions (which never see past their own count); appending to an older
/// version, whose next slot is already taken, copies. Configuration is built on one thread.
/// </summary>
internal sealed class AppendOnlyList<T> : IReadOnlyList<T>
{
    private readonly Storage _storage;
    private readonly int _count;

    private AppendOnlyList(Storage storage, int count)
    {
        _storage = storage;
        _count = count;
    }

    public int Count => _count;

    public T this[int index] => (uint)index < (uint)_count ? _storage.Items[index] : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary><paramref name="list"/> with <paramref name="items"/> after it; <paramref name="list"/> itself is unchanged.</summary>
    public static IReadOnlyList<T> Append(IReadOnlyList<T> list, params ReadOnlySpan<T> items)
    {
        if (items.IsEmpty)
        {
            return list;
        }
        if (list is AppendOnlyList<T> own && own._count == own._storage.Used && own._storage.Items.Length - own._count >= items.Length)
        {
            items.CopyTo(own._storage.Items.AsSpan(own._count));
            own._storage.Used += items.Length;
            return new AppendOnlyList<T>(own._storage, own._storage.Used);
        }
        int count = list.Count + items.Length;
        var storage = new Storage(new T[Math.Max(4, count * 2)]) { Used = count };
        for (int i = 0; i < list.Count; i++)
        {
            storage.Items[i] = list[i];
        }
        items.CopyTo(storage.Items.AsSpan(list.Count));
        return new AppendOnlyList<T>(storage, count);
    }

    public IEnumerator<T> GetEnumerator()
    {
        for (int i = 0; i < _count; i++)
        {
            yield return _storage.Items[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The array the versions share, and how much of it the newest version uses.</summary>
    private sealed class Storage(T[] items)
    {
        public T[] Items { get; } = items;

        public int Used { get; set; }
    }
}
