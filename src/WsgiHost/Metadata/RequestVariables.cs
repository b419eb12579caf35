namespace WsgiHost.Metadata;

/// <summary>
/// A request's environment variables (Apache's <c>subprocess_env</c>) as the sequence of
/// assignments that made them: what SetEnvIf and BrowserMatch matched, in order, then SetEnv and
/// UnsetEnv of the request's scopes (mod_env runs after mod_setenvif, so SetEnv wins). A null
/// value removes the name. A request whose scopes have no SetEnvIf uses its settings' SetEnv list
/// as it is, so the common request builds nothing. Names compare without case, as in APR's tables.
/// </summary>
internal static class RequestVariables
{
    /// <summary>The value the assignments leave for <paramref name="name"/>, or null when unset.</summary>
    public static string? Get(IReadOnlyList<KeyValuePair<string, string?>> assignments, string name)
    {
        for (int i = assignments.Count - 1; i >= 0; i--)
        {
            if (assignments[i].Key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return assignments[i].Value;
            }
        }
        return null;
    }

    /// <summary>Whether the assignments leave <paramref name="name"/> set, to any value (mod_deflate's no-gzip, Require env, env=).</summary>
    public static bool IsSet(IReadOnlyList<KeyValuePair<string, string?>> assignments, string name) => Get(assignments, name) != null;

    /// <summary>The variables the assignments leave, each once, in the order first set; an unset name set again goes to the end, as apr_table_unset then set.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Fold(IReadOnlyList<KeyValuePair<string, string?>> assignments)
    {
        if (assignments.Count == 0)
        {
            return [];
        }
        var result = new List<KeyValuePair<string, string>>(assignments.Count);
        foreach (var (name, value) in assignments)
        {
            int at = result.FindIndex(v => v.Key.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (value == null)
            {
                if (at >= 0)
                {
                    result.RemoveAt(at);
                }
            }
            else if (at >= 0)
            {
                result[at] = new(result[at].Key, value);
            }
            else
            {
                result.Add(new(name, value));
            }
        }
        return result;
    }
}
