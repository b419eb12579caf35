namespace WsgiHost.Configuration.Directives;

/// <summary>Suggests the known name closest to a misspelt one (case-insensitive edit distance).</summary>
internal static class DidYouMean
{
    public static string? Suggest(string name, IEnumerable<string> known)
    {
        // Beyond a third of the name the "suggestion" is noise rather than a typo fix.
        int limit = Math.Max(2, name.Length / 3);
        string lower = name.ToLowerInvariant();
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in known)
        {
            // The distance is at least the difference in length: skipping those keeps a
            // 100 KB garbage "directive" linear instead of seconds of edit distance per name
            // (found by ConfigFuzzTests).
            if (Math.Abs(candidate.Length - name.Length) > limit)
            {
                continue;
            }
            int d = Distance(lower, candidate.ToLowerInvariant());
            if (d < bestDistance)
            {
                (best, bestDistance) = (candidate, d);
            }
        }
        return bestDistance <= limit ? best : null;
    }

    internal static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
