using System.Globalization;

namespace WsgiHost.Metadata;

/// <summary>
/// One mod_expires interval: from the time of the request (<c>access</c>, <c>now</c>, <c>A</c>) or
/// from the file's modification time (<c>modification</c>, <c>M</c>), plus a number of seconds.
/// Months are 30 days and years 365, as mod_expires counts them.
/// </summary>
internal sealed record ExpiresRule(bool FromModification, long Seconds)
{
    /// <summary>
    /// Reads <c>"access plus 1 month 2 days"</c> or <c>A2592000</c>; null with the reason when it
    /// cannot (<paramref name="problem"/>).
    /// </summary>
    public static ExpiresRule? Parse(string text, out string? problem)
    {
        problem = null;
        text = text.Trim();
        if (text.Length > 1 && text[0] is 'A' or 'M' && long.TryParse(text.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out long code))
        {
            return new ExpiresRule(text[0] == 'M', code);
        }
        string[] words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            problem = "the interval is empty";
            return null;
        }
        bool fromModification;
        switch (words[0].ToLowerInvariant())
        {
            case "access" or "now":
                fromModification = false;
                break;
            case "modification":
                fromModification = true;
                break;
            default:
                problem = $"'{words[0]}' is not a base: use access, now or modification";
                return null;
        }
        int i = 1;
        if (i < words.Length && words[i].Equals("plus", StringComparison.OrdinalIgnoreCase))
        {
            i++;
        }
        long seconds = 0;
        if (i == words.Length)
        {
            problem = "the interval gives no time after its base, as in \"access plus 1 month\"";
            return null;
        }
        for (; i < words.Length; i += 2)
        {
            if (!long.TryParse(words[i], NumberStyles.None, CultureInfo.InvariantCulture, out long count))
            {
                problem = $"'{words[i]}' is not a number";
                return null;
            }
            if (i + 1 == words.Length || Unit(words[i + 1]) is not long unit)
            {
                problem = i + 1 == words.Length ? $"'{count}' has no unit" : $"'{words[i + 1]}' is not a unit: use years, months, weeks, days, hours, minutes or seconds";
                return null;
            }
            seconds += count * unit;
        }
        return new ExpiresRule(fromModification, seconds);
    }

    private static long? Unit(string word) => word.ToLowerInvariant().TrimEnd('s') switch
    {
        "year" => 365L * 86400,
        "month" => 30L * 86400,
        "week" => 7L * 86400,
        "day" => 86400,
        "hour" => 3600,
        "minute" => 60,
        "second" => 1,
        _ => null,
    };

    /// <summary>When a response expires: null when the rule counts from a modification time the response does not have.</summary>
    public DateTimeOffset? ExpiresAt(DateTimeOffset requested, DateTimeOffset? modified) =>
        FromModification ? modified?.AddSeconds(Seconds) : requested.AddSeconds(Seconds);
}
