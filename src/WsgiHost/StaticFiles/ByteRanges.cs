using System.Globalization;

namespace WsgiHost.StaticFiles;

/// <summary>An inclusive byte range of a file, as in <c>Content-Range: bytes Start-End/size</c>.</summary>
internal readonly record struct ByteRange(long Start, long End)
{
    public long Length => End - Start + 1;
}

internal enum RangeOutcome
{
    /// <summary>No usable Range: send the whole file with 200.</summary>
    Ignore,
    /// <summary>Every range starts past the end: 416.</summary>
    Unsatisfiable,
    /// <summary>206 with the ranges returned.</summary>
    Partial,
}

/// <summary>
/// Parses a Range header against a file size the way Apache 2.4's byterange filter does,
/// which is stricter than RFC 9110 requires in ways that protect the server:
/// a syntactically invalid member (or <c>-0</c>) voids the whole header; <c>0-</c> anywhere means
/// the whole file as one range; each range is merged into the one before it when they overlap
/// or touch; a set whose total exceeds the file, or with more than <see cref="MaxRanges"/>
/// ranges, <see cref="MaxOverlaps"/> merges or <see cref="MaxReversals"/> backwards steps
/// (Apache's MaxRanges, MaxRangeOverlaps, MaxRangeReversals defaults) is ignored, so the
/// whole file is sent once instead of amplified. An empty file is never ranged (Apache sends it
/// whole with 200).
/// </summary>
internal static class ByteRanges
{
    public const int MaxRanges = 200;
    public const int MaxOverlaps = 20;
    public const int MaxReversals = 20;

    public static RangeOutcome Parse(string? header, long length, out List<ByteRange> ranges)
    {
        ranges = [];
        if (header == null || length <= 0 || !header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase))
        {
            return RangeOutcome.Ignore;
        }
        bool unsatisfiable = false;
        bool open = false;
        long openStart = 0, openEnd = 0;
        int overlaps = 0, reversals = 0;
        foreach (string member in header[6..].Split(','))
        {
            ReadOnlySpan<char> spec = member.AsSpan().Trim(" \t");
            if (spec.Length == 0)
            {
                // RFC 9110 §5.6.1: empty list members are allowed and mean nothing.
                continue;
            }
            int dash = spec.IndexOf('-');
            if (dash < 0)
            {
                return RangeOutcome.Ignore;
            }
            long start, end;
            if (dash == 0)
            {
                if (!TryNumber(spec[1..], out long suffix) || suffix < 1)
                {
                    return RangeOutcome.Ignore;
                }
                start = Math.Max(0, length - suffix);
                end = length - 1;
            }
            else
            {
                if (!TryNumber(spec[..dash], out start))
                {
                    return RangeOutcome.Ignore;
                }
                if (dash == spec.Length - 1)
                {
                    if (start == 0)
                    {
                        // "0-" asks for everything; nothing else in the header can add to it.
                        ranges = [new ByteRange(0, length - 1)];
                        return RangeOutcome.Partial;
                    }
                    end = length - 1;
                }
                else if (!TryNumber(spec[(dash + 1)..], out end) || start > end)
                {
                    return RangeOutcome.Ignore;
                }
            }
            if (start >= length)
            {
                unsatisfiable = true;
                continue;
            }
            end = Math.Min(end, length - 1);

            if (!open)
            {
                (openStart, openEnd, open) = (start, end, true);
                continue;
            }
            bool merged = start >= openStart && end <= openEnd;
            if (start < openStart && end >= openStart - 1)
            {
                openStart = start;
                reversals++;
                merged = true;
            }
            if (end >= openEnd && start <= openEnd + 1)
            {
                openEnd = end;
                merged = true;
            }
            if (merged)
            {
                overlaps++;
                continue;
            }
            ranges.Add(new ByteRange(openStart, openEnd));
            (openStart, openEnd) = (start, end);
        }
        if (!open)
        {
            return unsatisfiable ? RangeOutcome.Unsatisfiable : RangeOutcome.Ignore;
        }
        ranges.Add(new ByteRange(openStart, openEnd));

        long total = 0;
        foreach (ByteRange range in ranges)
        {
            total += range.Length;
        }
        if (total > length || ranges.Count > MaxRanges || overlaps > MaxOverlaps || reversals > MaxReversals)
        {
            ranges = [];
            return RangeOutcome.Ignore;
        }
        return RangeOutcome.Partial;
    }

    /// <summary>Plain decimal digits only (no sign, no spaces inside), without overflow.</summary>
    private static bool TryNumber(ReadOnlySpan<char> digits, out long value)
    {
        value = 0;
        return digits.Length > 0
            && !digits.ContainsAnyExcept("0123456789")
            && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
