using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Access;

/// <summary>
/// mod_access_compat's <c>Order</c>, <c>Allow from</c> and <c>Deny from</c> of one section, read as the module
/// does (<c>order</c>, <c>allow_cmd</c>): the last Order wins, Allow and Deny lines accumulate, and each
/// word after <c>from</c> is <c>all</c>, an address or network, or else a host name.
/// </summary>
internal sealed class LegacyParser(ICollection<ConfigDiagnostic> diagnostics)
{
    private readonly List<LegacyEntry> _allows = [];
    private readonly List<LegacyEntry> _denies = [];
    private AccessOrder _order = AccessOrder.DenyAllow;
    private bool _seen;

    public static bool IsLegacyDirective(string name) =>
        name.Equals("Order", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Allow", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Deny", StringComparison.OrdinalIgnoreCase);

    /// <summary>The section's rules, or null when it had no Order, Allow or Deny (then it inherits).</summary>
    public LegacyAccess? Result => _seen ? new LegacyAccess(_order, _allows, _denies) : null;

    public void Add(ConfigNode node)
    {
        // Even a wrong line makes the section's config its own, as Apache creates it on the first directive.
        _seen = true;
        if (node.Name.Equals("Order", StringComparison.OrdinalIgnoreCase))
        {
            Order(node);
        }
        else
        {
            var allow = node.Name.Equals("Allow", StringComparison.OrdinalIgnoreCase);
            Entries(node, allow ? "Allow" : "Deny", allow ? _allows : _denies);
        }
    }

    private void Order(ConfigNode node)
    {
        const string Values = "allow,deny, deny,allow or mutual-failure";
        if (node.Arguments.Count != 1)
        {
            var joined = string.Concat(node.Arguments).ToLowerInvariant();
            var fix = joined is "allow,deny" or "deny,allow" ? $"write it without spaces: 'Order {joined}'" : $"write 'Order deny,allow' or 'Order allow,deny'";
            diagnostics.Error(node, "Order", $"Order takes one argument: {Values}", fix);
            return;
        }

        switch (node.Arguments[0].ToLowerInvariant())
        {
            case "allow,deny":
                _order = AccessOrder.AllowDeny;
                break;
            case "deny,allow":
                _order = AccessOrder.DenyAllow;
                break;
            case "mutual-failure":
                _order = AccessOrder.MutualFailure;
                break;
            default:
                diagnostics.Error(node, "Order", $"unknown order '{node.Arguments[0]}'", $"use one of: {Values}");
                break;
        }
    }

    private void Entries(ConfigNode node, string directive, List<LegacyEntry> into)
    {
        var args = node.Arguments;
        if (args.Count == 0 || !args[0].Equals("from", StringComparison.OrdinalIgnoreCase))
        {
            diagnostics.Error(node, directive, "allow and deny must be followed by 'from'",
                $"write e.g. '{directive} from 10.0.0.0/8' or '{directive} from all'");
            return;
        }

        if (args.Count == 1)
        {
            diagnostics.Error(node, directive, $"'{directive} from' needs at least one host, address or 'all'",
                $"write e.g. '{directive} from 10.0.0.0/8' or '{directive} from all'");
            return;
        }

        foreach (var word in args.Skip(1))
        {
            if (Entry(node, directive, word) is { } entry)
            {
                into.Add(entry);
            }
        }
    }

    private LegacyEntry? Entry(ConfigNode node, string directive, string word)
    {
        if (word.Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            return new LegacyAll();
        }

        if (word.StartsWith("env=", StringComparison.OrdinalIgnoreCase))
        {
            if (Metadata.VariableCondition.TryParse(word) is { } condition)
            {
                return new LegacyVariable(condition);
            }
            diagnostics.Error(node, directive, $"'{word}' names no variable", "write env=VAR or env=!VAR");
            return null;
        }

        var outcome = IpNetwork.TryParse(word, out var network, out var problem);
        if (outcome == IpNetwork.ParseOutcome.Parsed)
        {
            return new LegacyNetwork(network!);
        }

        // A slash means a network was meant whatever the address looks like, as in allow_cmd.
        if (outcome == IpNetwork.ParseOutcome.Invalid || word.Contains('/'))
        {
            diagnostics.Error(node, directive, problem ?? $"'{word}' is not an IP address or network", RequireParser.IpFix(word));
            return null;
        }

        if (word.Contains('#'))
        {
            diagnostics.Error(node, directive, "no comments are allowed here", "put the comment on a line of its own, starting with #");
            return null;
        }

        if (HostNamePattern.TryParse(word, out var hostProblem, out var hostFix) is { } host)
        {
            return new LegacyHost(host);
        }

        diagnostics.Error(node, directive, hostProblem!, hostFix);
        return null;
    }
}
