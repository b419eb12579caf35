namespace WsgiHost.Access;

/// <summary><c>AuthMerging</c>: how a section's Require rules combine with those it inherits.</summary>
internal enum AuthMergingMode
{
    /// <summary>The section's rules, if it has any, replace the inherited ones (the default).</summary>
    Off,
    /// <summary>Both the inherited rules and the section's must grant.</summary>
    And,
    /// <summary>Either the inherited rules or the section's must grant.</summary>
    Or,
}
