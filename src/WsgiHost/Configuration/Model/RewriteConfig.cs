using System.Text.RegularExpressions;
using WsgiHost.Configuration.Syntax;
using WsgiHost.Routing;

namespace WsgiHost.Configuration.Model;

/// <summary>
/// One RewriteCond: <see cref="Test"/> (with %{VAR}, $N and %N) matched against a regex, or
/// compared whole with <c>=string</c> (<see cref="EqualTo"/>); <c>!</c> negates; [NC] and [OR].
/// </summary>
internal sealed record RewriteCondConfig(RewriteTemplate Test, Regex? Pattern, RewriteTemplate? EqualTo, bool Negated, bool NoCase, bool Or, SourceLocation Location);

/// <summary>What a RewriteRule that matched answers.</summary>
internal enum RewriteAction
{
    /// <summary>[R]: an external redirect to the substitution.</summary>
    Redirect,

    /// <summary>[F]: 403.</summary>
    Forbidden,

    /// <summary>[G]: 410.</summary>
    Gone,

    /// <summary>A substitution of <c>-</c>: the URL stays as it is; with [L] no later rule is tried.</summary>
    Pass,
}

/// <summary>
/// One RewriteRule of the server or a virtual host, of the kinds WsgiHost runs: an external
/// redirect (<c>[R]</c>, or a substitution naming another host), <c>[F]</c> and <c>[G]</c>,
/// with the RewriteCond lines before it.
/// </summary>
/// <param name="Status">The redirect's status ([R=301]; 302 by default).</param>
/// <param name="QueryAppend">[QSA]: the request's query string joins one the substitution gives.</param>
/// <param name="QueryDiscard">[QSD]: the request's query string is dropped.</param>
/// <param name="NoEscape">[NE]: the substitution is not %-escaped.</param>
/// <param name="Last">[L] or [END]: no later rule is tried once this one matched.</param>
internal sealed record RewriteRuleConfig(Regex Pattern, bool Negated, RewriteTemplate? Substitution, RewriteAction Action, int Status,
    bool QueryAppend, bool QueryDiscard, bool NoEscape, bool Last, IReadOnlyList<RewriteCondConfig> Conditions, SourceLocation Location)
{
    /// <summary>[E=VAR:VALUE]: the request variables the rule sets when it matches, their values expanded as the substitution is.</summary>
    public IReadOnlyList<(string Name, Routing.RewriteTemplate Value)> Environment { get; init; } = [];
}

/// <summary>RewriteOptions Inherit/InheritBefore: where a virtual host takes the main server's rules.</summary>
internal enum RewriteInheritance
{
    None,

    /// <summary>Inherit: after the virtual host's own rules.</summary>
    After,

    /// <summary>InheritBefore: before them.</summary>
    Before,
}
