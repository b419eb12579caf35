namespace WsgiHost.Logging;

/// <summary>
/// One piece of a compiled format: a literal run, or a field writer with an optional status
/// condition (%400,501{...}i logs the value only for those statuses; with '!', only for others).
/// </summary>
internal readonly record struct LogFormatPart(string? Literal, LogFieldWriter? Field, int[]? Statuses, bool Negated)
{
    public static LogFormatPart Text(string literal) => new(literal, null, null, false);

    /// <summary>Whether the condition lets the value through for <paramref name="status"/>.</summary>
    public bool Applies(int status) => Statuses == null || Array.IndexOf(Statuses, status) >= 0 != Negated;
}
