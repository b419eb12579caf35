using System.Collections.Concurrent;
using System.Text;

namespace WsgiHost.Access;

/// <summary>
/// Files read per request in Apache (htpasswd and group files), parsed once here and read again when they
/// change: each use compares the file's modification time and length, so an <c>htpasswd</c> run takes
/// effect on the next request, as in Apache, without reading the file every time.
/// </summary>
internal sealed class ParsedFileCache<T>(Func<IEnumerable<string>, T> parse)
    where T : class
{
    private sealed record Entry(DateTime Modified, long Length, T Value);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>The parsed content of <paramref name="path"/>; throws IOException or UnauthorizedAccessException when it cannot be read.</summary>
    public T Get(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException("no such file", path);
        }

        if (_entries.TryGetValue(path, out var entry) && entry.Modified == info.LastWriteTimeUtc && entry.Length == info.Length)
        {
            return entry.Value;
        }

        // Latin-1: names and hashes are bytes in Apache; this keeps every byte as one char.
        var value = parse(File.ReadLines(path, Encoding.Latin1));
        _entries[path] = new Entry(info.LastWriteTimeUtc, info.Length, value);
        return value;
    }

    /// <summary>The lines that carry content, as ap_cfg_getline gives them: trimmed, without blanks and # comments.</summary>
    public static IEnumerable<string> ContentLines(IEnumerable<string> lines) =>
        lines.Select(l => l.Trim()).Where(l => l.Length > 0 && l[0] != '#');
}
