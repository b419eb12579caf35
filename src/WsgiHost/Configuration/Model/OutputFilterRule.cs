namespace WsgiHost.Configuration.Model;

/// <summary>
/// One media type of an <c>AddOutputFilterByType</c> line (or one extension of an
/// <c>AddOutputFilter</c> line) and the codings its filters make: a response whose Content-Type
/// (parameters aside) is <paramref name="Match"/> (or whose file has that extension) may be
/// compressed with them.
/// </summary>
/// <param name="Match">Lower case: a media type without parameters (<c>text/html</c>), or an extension without its dot (<c>css</c>).</param>
internal sealed record OutputFilterRule(ContentCodings Codings, string Match)
{
    /// <summary>
    /// AddOutputFilterByType rules of a scope over those it inherits, as mod_filter merges them:
    /// each filter a scope's lines name is a new "BYTYPE:filter" of that scope's own, which
    /// replaces the inherited one of the same name whole (<c>&lt;Location /api&gt;
    /// AddOutputFilterByType DEFLATE application/json</c> stops text/html being compressed
    /// there), while a filter the scope does not name keeps its inherited types.
    /// </summary>
    public static IReadOnlyList<OutputFilterRule> OverlayByType(IReadOnlyList<OutputFilterRule> inherited, IReadOnlyList<OutputFilterRule> own)
    {
        if (own.Count == 0 || inherited.Count == 0)
        {
            return own.Count == 0 ? inherited : own;
        }
        ContentCodings replaced = ContentCodings.None;
        foreach (OutputFilterRule rule in own)
        {
            replaced |= rule.Codings;
        }
        var merged = new List<OutputFilterRule>(inherited.Count + own.Count);
        foreach (OutputFilterRule rule in inherited)
        {
            if ((rule.Codings & ~replaced) is var kept and not ContentCodings.None)
            {
                merged.Add(kept == rule.Codings ? rule : rule with { Codings = kept });
            }
        }
        merged.AddRange(own);
        return merged;
    }

    /// <summary>
    /// AddOutputFilter rules over earlier ones, as mod_mime keeps them: one list of filters per
    /// extension, so a later line (or a deeper scope) naming an extension replaces what it had.
    /// </summary>
    public static IReadOnlyList<OutputFilterRule> OverlayByExtension(IReadOnlyList<OutputFilterRule> earlier, IReadOnlyList<OutputFilterRule> later)
    {
        if (later.Count == 0 || earlier.Count == 0)
        {
            return later.Count == 0 ? earlier : later;
        }
        var named = new HashSet<string>(later.Select(rule => rule.Match), StringComparer.Ordinal);
        return [.. earlier.Where(rule => !named.Contains(rule.Match)), .. later];
    }
}
