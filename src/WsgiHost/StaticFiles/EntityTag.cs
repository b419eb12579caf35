using System.Globalization;

namespace WsgiHost.StaticFiles;

/// <summary>
/// An HTTP entity tag: the quoted opaque string and whether it is weak (<c>W/"..."</c>).
/// </summary>
internal readonly record struct EntityTag(string Opaque, bool IsWeak)
{
    /// <summary>
    /// Apache's tag for a file under the default <c>FileETag MTime Size</c>:
    /// <c>"size-mtime"</c>, both lower-case hex, mtime in microseconds since the epoch. Apache
    /// makes it weak when the file changed less than a second before the request, because
    /// another write within the same second could keep size and mtime and so the tag.
    /// </summary>
    public static EntityTag ForFile(long size, DateTime modifiedUtc, DateTime nowUtc) =>
        new(string.Create(CultureInfo.InvariantCulture, $"\"{size:x}-{Micros(modifiedUtc):x}\""), IsRecent(modifiedUtc, nowUtc));

    /// <summary>
    /// The tag FileETag's <paramref name="parts"/> make, in Apache's order (ap_make_etag):
    /// inode, size, mtime, those present joined by '-' (None: an empty tag, not sent).
    /// </summary>
    public static EntityTag ForFile(long size, DateTime modifiedUtc, DateTime nowUtc, Configuration.Model.FileETagParts parts, ulong inode)
    {
        if (parts == Configuration.Model.FileETagRule.Default)
        {
            // Every static request's tag: one string, no list (FileSnapshot makes it anyway).
            return ForFile(size, modifiedUtc, nowUtc);
        }
        var pieces = new List<string>(3);
        if (parts.HasFlag(Configuration.Model.FileETagParts.INode))
        {
            pieces.Add(inode.ToString("x", CultureInfo.InvariantCulture));
        }
        if (parts.HasFlag(Configuration.Model.FileETagParts.Size))
        {
            pieces.Add(size.ToString("x", CultureInfo.InvariantCulture));
        }
        if (parts.HasFlag(Configuration.Model.FileETagParts.MTime))
        {
            pieces.Add(Micros(modifiedUtc).ToString("x", CultureInfo.InvariantCulture));
        }
        return new EntityTag("\"" + string.Join('-', pieces) + "\"", IsRecent(modifiedUtc, nowUtc));
    }

    private static long Micros(DateTime utc) => (utc.Ticks - DateTime.UnixEpoch.Ticks) / 10;

    /// <summary>Changed within the last second: another write in that second could keep the tag, so it is weak.</summary>
    private static bool IsRecent(DateTime modifiedUtc, DateTime nowUtc) => nowUtc - modifiedUtc <= TimeSpan.FromSeconds(1);

    public override string ToString() => IsWeak ? "W/" + Opaque : Opaque;

    /// <summary>RFC 9110 §8.8.3.2 strong comparison: both strong and the same opaque tag.</summary>
    public bool StrongMatches(EntityTag other) => !IsWeak && !other.IsWeak && Opaque == other.Opaque;

    /// <summary>RFC 9110 §8.8.3.2 weak comparison: the opaque tags are the same.</summary>
    public bool WeakMatches(EntityTag other) => Opaque == other.Opaque;

    /// <summary>
    /// Parses an If-Match / If-None-Match value: <c>*</c> or a comma-separated list of tags.
    /// Parsing stops at the first malformed member; the tags before it still count, which
    /// at worst makes a broken header match less, never more.
    /// </summary>
    public static List<EntityTag> ParseList(string value, out bool isWildcard)
    {
        var tags = new List<EntityTag>();
        isWildcard = value.Trim() == "*";
        if (isWildcard)
        {
            return tags;
        }
        int i = 0;
        while (i < value.Length)
        {
            char c = value[i];
            if (c is ' ' or '\t' or ',')
            {
                i++;
                continue;
            }
            bool weak = false;
            if (c == 'W' && i + 1 < value.Length && value[i + 1] == '/')
            {
                weak = true;
                i += 2;
            }
            if (i >= value.Length || value[i] != '"')
            {
                break;
            }
            int close = value.IndexOf('"', i + 1);
            if (close < 0)
            {
                break;
            }
            tags.Add(new EntityTag(value[i..(close + 1)], weak));
            i = close + 1;
        }
        return tags;
    }

    /// <summary>Parses one tag (If-Range); null when the value is not a tag.</summary>
    public static EntityTag? TryParse(string value)
    {
        string trimmed = value.Trim();
        bool weak = trimmed.StartsWith("W/", StringComparison.Ordinal);
        string opaque = weak ? trimmed[2..] : trimmed;
        if (opaque.Length < 2 || opaque[0] != '"' || opaque[^1] != '"' || opaque.IndexOf('"', 1) != opaque.Length - 1)
        {
            return null;
        }
        return new EntityTag(opaque, weak);
    }
}
