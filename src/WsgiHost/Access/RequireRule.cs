namespace WsgiHost.Access;

/// <summary>
/// A node of mod_authz_core's rule tree: a provider line (<c>Require [not] ip ...</c>) or a container
/// (<c>&lt;RequireAll&gt;</c>, <c>&lt;RequireAny&gt;</c>, <c>&lt;RequireNone&gt;</c>, or the implicit
/// <c>&lt;RequireAny&gt;</c> around the Require lines of a section). Evaluation is <c>apply_authz_sections</c>.
/// </summary>
internal abstract class RequireRule(bool negated)
{
    public bool Negated { get; } = negated;

    public AuthzResult Evaluate(AccessEvaluation evaluation)
    {
        var result = EvaluateUnnegated(evaluation);
        if (!Negated)
        {
            return result;
        }

        // A negated rule that matched denies; one that did not match is neutral, never a grant: "we can not
        // grant access simply because authorization was not rejected" (apply_authz_sections). A user rule
        // with nobody authenticated is neutral too once negated.
        return result switch
        {
            AuthzResult.Granted => AuthzResult.Denied,
            AuthzResult.Denied or AuthzResult.DeniedNoUser => AuthzResult.Neutral,
            _ => result,
        };
    }

    protected abstract AuthzResult EvaluateUnnegated(AccessEvaluation evaluation);
}

internal sealed class ProviderRule(AuthzProvider provider, bool negated) : RequireRule(negated)
{
    public AuthzProvider Provider { get; } = provider;

    protected override AuthzResult EvaluateUnnegated(AccessEvaluation evaluation) => Provider.Check(evaluation);

    public override string ToString() => "Require " + (Negated ? "not " : "") + Provider;
}

internal enum RequireLogic
{
    /// <summary>AND: any denial denies; otherwise one grant grants; otherwise neutral.</summary>
    All,
    /// <summary>OR: any grant grants; otherwise one denial denies; otherwise neutral.</summary>
    Any,
}

internal sealed class ContainerRule(RequireLogic logic, bool negated, IReadOnlyList<RequireRule> children) : RequireRule(negated)
{
    public RequireLogic Logic { get; } = logic;

    public IReadOnlyList<RequireRule> Children { get; } = children;

    /// <summary>The tag Apache's messages use: RequireNone is a negated RequireAny.</summary>
    public string Tag => (Logic, Negated) switch
    {
        (RequireLogic.All, false) => "<RequireAll>",
        (RequireLogic.All, true) => "<RequireNotAll>",
        (RequireLogic.Any, false) => "<RequireAny>",
        _ => "<RequireNone>",
    };

    protected override AuthzResult EvaluateUnnegated(AccessEvaluation evaluation)
    {
        var result = AuthzResult.Neutral;
        foreach (var child in Children)
        {
            var childResult = child.Evaluate(evaluation);
            if (childResult == AuthzResult.Neutral)
            {
                continue;
            }

            // apply_authz_sections: a denial that a user may still turn (DeniedNoUser) is kept over a plain
            // one, so authentication runs whenever an authenticated user could change the outcome.
            if (Logic == RequireLogic.All)
            {
                if (childResult == AuthzResult.Denied)
                {
                    return AuthzResult.Denied;
                }

                if (result == AuthzResult.Neutral || childResult == AuthzResult.DeniedNoUser)
                {
                    result = childResult;
                }
            }
            else
            {
                if (childResult == AuthzResult.Granted)
                {
                    return AuthzResult.Granted;
                }

                if (result == AuthzResult.Neutral || (childResult == AuthzResult.DeniedNoUser && result == AuthzResult.Denied))
                {
                    result = childResult;
                }
            }
        }

        return result;
    }

    public override string ToString() =>
        $"{Tag} {string.Join("; ", Children)} </{Tag[1..]}";
}
