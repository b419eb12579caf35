using System.Text.RegularExpressions;
using WsgiHost.Configuration.Model;

namespace WsgiHost.Routing;

/// <summary>
/// A scope's RewriteRules of the kinds WsgiHost runs (external redirects, [F], [G]), tried in
/// order before every Redirect and alias, as mod_rewrite's translate hook runs first: the
/// first rule whose pattern matches the URL path and whose RewriteCond lines hold answers.
/// Conditions chain with AND, or with [OR] as mod_rewrite chains them; %N are the last
/// matched condition's groups, $N the rule's. A substitution without '?' keeps the request's
/// query string; one with '?' replaces it ([QSA] joins both, [QSD] drops it).
/// </summary>
internal sealed class RewriteRules(IReadOnlyList<RewriteRuleConfig> rules)
{
    public bool IsEmpty => rules.Count == 0;

    /// <summary>Some rule sets variables ([E=...]): the caller passes a list to <see cref="Apply"/> for them.</summary>
    public bool SetsVariables { get; } = rules.Any(r => r.Environment.Count > 0);

    /// <param name="setVariables">Where the [E=VAR:VALUE] assignments of the rules that matched go, in order; null when <see cref="SetsVariables"/> is false.</param>
    public RedirectAnswer? Apply(string path, string rawQuery, IRewriteVariables variables, List<KeyValuePair<string, string?>>? setVariables = null)
    {
        foreach (RewriteRuleConfig rule in rules)
        {
            Match match = rule.Pattern.Match(path);
            if (match.Success == rule.Negated || !Holds(rule.Conditions, variables, match, out Match? condition))
            {
                continue;
            }
            foreach (var (name, value) in rule.Environment)
            {
                setVariables?.Add(new(name, value.Expand(variables, match, condition)));
            }
            switch (rule.Action)
            {
                case RewriteAction.Forbidden:
                    return new RedirectAnswer(403, null);
                case RewriteAction.Gone:
                    return new RedirectAnswer(410, null);
                case RewriteAction.Pass when rule.Last:
                    return null;
                case RewriteAction.Pass:
                    continue;
            }
            string target = rule.Substitution!.Expand(variables, match, condition);
            int mark = target.IndexOf('?');
            string head = mark < 0 ? target : target[..mark];
            string? given = mark < 0 ? null : target[(mark + 1)..];
            string query = rule.QueryDiscard ? given ?? ""
                : given == null ? rawQuery
                : rule.QueryAppend && rawQuery.Length > 0 ? (given.Length > 0 ? given + "&" + rawQuery : rawQuery)
                : given;
            head = rule.NoEscape ? RedirectMatcher.EscapeUnsafe(head) : RedirectMatcher.EscapeUrl(head);
            return new RedirectAnswer(rule.Status, query.Length > 0 ? head + "?" + query : head);
        }
        return null;
    }

    private static bool Holds(IReadOnlyList<RewriteCondConfig> conditions, IRewriteVariables variables, Match rule, out Match? last)
    {
        last = null;
        for (int i = 0; i < conditions.Count; i++)
        {
            RewriteCondConfig condition = conditions[i];
            bool holds = Test(condition, variables, rule, ref last);
            if (condition.Or)
            {
                if (holds)
                {
                    // The rest of the [OR] chain need not be tested: it holds.
                    while (i < conditions.Count - 1 && conditions[i].Or)
                    {
                        i++;
                    }
                }
                continue;
            }
            if (!holds)
            {
                return false;
            }
        }
        return true;
    }

    private static bool Test(RewriteCondConfig condition, IRewriteVariables variables, Match rule, ref Match? last)
    {
        string value = condition.Test.Expand(variables, rule, last);
        if (condition.EqualTo != null)
        {
            string other = condition.EqualTo.Expand(variables, rule, last);
            return string.Equals(value, other, condition.NoCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal) != condition.Negated;
        }
        Match match = condition.Pattern!.Match(value);
        if (match.Success && !condition.Negated)
        {
            last = match;
        }
        return match.Success != condition.Negated;
    }
}
