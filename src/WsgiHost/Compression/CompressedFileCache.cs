using Microsoft.Win32.SafeHandles;
using WsgiHost.Configuration.Model;

namespace WsgiHost.Compression;

/// <summary>
/// Static files as compressed once, by the file's validators (path and ETag: its size and
/// modification time), coding and level: a site's CSS and JavaScript are asked for on every
/// page view and do not change between deploys, so compressing them again for each request
/// (as mod_deflate does) spends the CPU of a page on bytes already made. A changed file has a
/// new ETag, hence a new entry; the old one ages out. Bounded by the bytes it holds, least
/// recently used first out; files over <see cref="MaxFileBytes"/> are compressed as they stream.
/// </summary>
internal sealed class CompressedFileCache(long capacityBytes)
{
    /// <summary>Larger files are not kept: read whole to compress, they would hold the cache for one file.</summary>
    public const long MaxFileBytes = 1024 * 1024;

    /// <summary>The process's cache: 32 MiB of compressed bytes (a few thousand stylesheets and scripts).</summary>
    public static CompressedFileCache Shared { get; } = new(32 * 1024 * 1024);

    private readonly record struct Key(string Path, string ETag, ContentCodings Coding, int Level);

    private readonly Lock _lock = new();
    private readonly Dictionary<Key, LinkedListNode<(Key Key, byte[] Encoded)>> _entries = [];
    private readonly LinkedList<(Key Key, byte[] Encoded)> _recent = new();
    private long _bytes;

    /// <summary>Compressed bytes held.</summary>
    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    /// <summary>
    /// The file's bytes encoded with <paramref name="coding"/> at <paramref name="level"/>:
    /// kept ones, or read from <paramref name="file"/> (its first <paramref name="length"/>
    /// bytes, at most <see cref="MaxFileBytes"/>) and encoded now. Two requests that miss
    /// together both encode; the second result replaces the first.
    /// </summary>
    public byte[] GetOrAdd(string path, string etag, SafeFileHandle file, long length, ContentCodings coding, int level)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, MaxFileBytes);
        var key = new Key(path, etag, coding, level);
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var node))
            {
                _recent.Remove(node);
                _recent.AddFirst(node);
                return node.Value.Encoded;
            }
        }
        byte[] encoded = Encode(file, (int)length, coding, level, out bool whole);
        if (whole)
        {
            Add(key, encoded);
        }
        return encoded;
    }

    private static byte[] Encode(SafeFileHandle file, int length, ContentCodings coding, int level, out bool whole)
    {
        byte[] source = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            int read = 0;
            while (read < length)
            {
                int n = RandomAccess.Read(file, source.AsSpan(read, length - read), read);
                if (n == 0)
                {
                    break; // it shrank since its size was taken: sent as it is now, never kept
                }
                read += n;
            }
            whole = read == length;
            using var output = new MemoryStream(length / 4 + 64);
            using (Stream encoder = CompressedEncoding.Create(output, coding, level))
            {
                encoder.Write(source, 0, read);
            }
            return output.ToArray();
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(source);
        }
    }

    private void Add(Key key, byte[] encoded)
    {
        if (encoded.Length > capacityBytes)
        {
            return;
        }
        lock (_lock)
        {
            if (_entries.Remove(key, out var old))
            {
                _recent.Remove(old);
                _bytes -= old.Value.Encoded.Length;
            }
            _entries[key] = _recent.AddFirst((key, encoded));
            _bytes += encoded.Length;
            while (_bytes > capacityBytes && _recent.Last is { } last)
            {
                _recent.RemoveLast();
                _entries.Remove(last.Value.Key);
                _bytes -= last.Value.Encoded.Length;
            }
        }
    }
}
