namespace WsgiHost.Metadata;

/// <summary><c>env=VAR</c> or <c>env=!VAR</c> on a Header, RequestHeader or CustomLog line: the line applies only when the request's variable is set (or, negated, is not).</summary>
internal sealed record VariableCondition(string Name, bool Negated)
{
    /// <summary>Reads <c>env=[!]VAR</c>; null when <paramref name="word"/> is not one.</summary>
    public static VariableCondition? TryParse(string word)
    {
        if (!word.StartsWith("env=", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        string name = word[4..];
        bool negated = name.StartsWith('!');
        name = negated ? name[1..] : name;
        return name.Length == 0 ? null : new VariableCondition(name, negated);
    }

    public bool Holds(IReadOnlyList<KeyValuePair<string, string?>> variables) => RequestVariables.IsSet(variables, Name) != Negated;

    public override string ToString() => Negated ? $"env=!{Name}" : $"env={Name}";
}
