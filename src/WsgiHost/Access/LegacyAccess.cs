namespace WsgiHost.Access;

/// <summary>The three values of mod_access_compat's <c>Order</c>.</summary>
internal enum AccessOrder
{
    /// <summary><c>Order deny,allow</c>, Apache's default: allowed unless denied, and Allow overrides Deny.</summary>
    DenyAllow,
    /// <summary><c>Order allow,deny</c>: denied unless allowed, and Deny overrides Allow.</summary>
    AllowDeny,
    /// <summary><c>Order mutual-failure</c>: allowed only when an Allow matches and no Deny does.</summary>
    MutualFailure,
}

/// <summary>One <c>Allow from</c> / <c>Deny from</c> word: <c>all</c>, an address or network, or a host name.</summary>
internal abstract class LegacyEntry
{
    public abstract bool Matches(AccessEvaluation evaluation);
}

internal sealed class LegacyAll : LegacyEntry
{
    public override bool Matches(AccessEvaluation evaluation) => true;

    public override string ToString() => "all";
}

internal sealed class LegacyNetwork(IpNetwork network) : LegacyEntry
{
    public override bool Matches(AccessEvaluation evaluation) => network.Contains(evaluation.Client);

    public override string ToString() => network.Text;
}

/// <summary><c>Allow from env=VAR</c> / <c>env=!VAR</c>: the request sets the variable (or, negated, does not).</summary>
internal sealed class LegacyVariable(Metadata.VariableCondition condition) : LegacyEntry
{
    public override bool Matches(AccessEvaluation evaluation) => evaluation.Request.Sets(condition.Name) != condition.Negated;

    public override string ToString() => condition.ToString();
}

/// <summary>A host entry matches only a double-reverse-confirmed name, as <c>find_allowdeny</c>'s T_HOST does.</summary>
internal sealed class LegacyHost(HostNamePattern name) : LegacyEntry
{
    public override bool Matches(AccessEvaluation evaluation) =>
        evaluation.ConfirmedHostName is { } host && name.Matches(host);

    public override string ToString() => name.Text;
}

/// <summary>
/// One section's mod_access_compat rules. The module has no merge function ("default is to override"), so
/// a section with any of Order, Allow or Deny gets a fresh config (Order deny,allow, no entries) plus its
/// own lines, replacing everything inherited; <see cref="AccessRules.Merge"/> relies on that.
/// </summary>
internal sealed class LegacyAccess(AccessOrder order, IReadOnlyList<LegacyEntry> allows, IReadOnlyList<LegacyEntry> denies)
{
    public AccessOrder Order { get; } = order;

    public IReadOnlyList<LegacyEntry> Allows { get; } = allows;

    public IReadOnlyList<LegacyEntry> Denies { get; } = denies;

    /// <summary>mod_access_compat's <c>check_dir_access</c>.</summary>
    public bool Permits(AccessEvaluation evaluation)
    {
        bool Allowed() => Allows.Any(e => e.Matches(evaluation));
        bool Denied() => Denies.Any(e => e.Matches(evaluation));
        return Order switch
        {
            AccessOrder.AllowDeny => Allowed() && !Denied(),
            AccessOrder.DenyAllow => !Denied() || Allowed(),
            // Apache's documentation calls mutual-failure "the same as Order allow,deny"; the code agrees.
            _ => Allowed() && !Denied(),
        };
    }

    public override string ToString() =>
        $"Order {(Order switch { AccessOrder.AllowDeny => "allow,deny", AccessOrder.DenyAllow => "deny,allow", _ => "mutual-failure" })}"
        + (Allows.Count > 0 ? "; Allow from " + string.Join(' ', Allows) : "")
        + (Denies.Count > 0 ? "; Deny from " + string.Join(' ', Denies) : "");
}
