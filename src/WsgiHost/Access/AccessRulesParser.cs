using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Access;

/// <summary>
/// Reads the access directives of one section into <see cref="AccessRules"/>: mod_authz_core's Require and
/// its containers and AuthMerging, mod_access_compat's Order/Allow/Deny, and core's Satisfy. Everything that
/// would change who gets in but cannot be honoured (authentication, <c>Require env|expr|method</c>,
/// <c>&lt;Limit&gt;</c>) is an error, never skipped. When errors were reported the rules returned are partial
/// and the configuration must not be served.
/// </summary>
internal static class AccessRulesParser
{
    private static readonly HashSet<string> Directives = new(StringComparer.OrdinalIgnoreCase)
    {
        "Require", "Order", "Allow", "Deny", "Satisfy", "AuthMerging",
    };

    private static readonly HashSet<string> Sections = new(StringComparer.OrdinalIgnoreCase)
    {
        "RequireAll", "RequireAny", "RequireNone", "Limit", "LimitExcept",
    };

    /// <summary>
    /// Whether the directive or section name belongs to access control: Require, Order, Allow, Deny, Satisfy,
    /// AuthMerging, the RequireAll/Any/None and Limit/LimitExcept sections, and every other <c>Auth*</c>
    /// directive (AuthType, AuthUserFile, ...), which this parser reports as unsupported authentication.
    /// </summary>
    public static bool IsAccessDirective(string name) =>
        Directives.Contains(name) || Sections.Contains(name) || name.StartsWith("Auth", StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc cref="Parse(IReadOnlyList{ConfigNode}, ICollection{ConfigDiagnostic}, AccessContext)"/>
    public static AccessRules? Parse(IReadOnlyList<ConfigNode> directives, ICollection<ConfigDiagnostic> diagnostics) =>
        Parse(directives, diagnostics, AccessContext.Directory);

    /// <summary>
    /// The access rules among <paramref name="directives"/>, the children of one section; other nodes are
    /// ignored. Null when there are none. In <see cref="AccessContext.Server"/> every access directive is an
    /// error, as in Apache, and the result is always null.
    /// </summary>
    public static AccessRules? Parse(IReadOnlyList<ConfigNode> directives, ICollection<ConfigDiagnostic> diagnostics, AccessContext context)
    {
        if (context == AccessContext.Server)
        {
            RejectAtServerLevel(directives, diagnostics);
            return null;
        }

        var requireNodes = new List<ConfigNode>();
        var legacy = new LegacyParser(diagnostics);
        AuthMergingMode? merging = null;
        SatisfyMode? satisfy = null;
        ConfigNode? mergingNode = null;
        var any = false;
        foreach (var node in directives)
        {
            var name = node.Name;
            if (node.IsSection && (name.Equals("If", StringComparison.OrdinalIgnoreCase) || name.Equals("ElseIf", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Else", StringComparison.OrdinalIgnoreCase)))
            {
                RejectConditional(node, diagnostics);
                continue;
            }

            if (!IsAccessDirective(name))
            {
                continue;
            }

            any = true;
            if (!Directives.Contains(name) && !Sections.Contains(name))
            {
                RejectAuthentication(node, diagnostics);
            }
            else if (node.IsSection != Sections.Contains(name))
            {
                var written = node.IsSection ? $"<{name}>" : name;
                diagnostics.Error(node, written, node.IsSection ? $"{name} is a directive, not a section" : $"{name} is a section, not a directive",
                    node.IsSection ? $"write '{name} ...' on one line" : $"write <{name}> ... </{name}>");
            }
            else if (name.Equals("Require", StringComparison.OrdinalIgnoreCase) || RequireParser.IsContainer(name, out _, out _, out _))
            {
                requireNodes.Add(node);
            }
            else if (LegacyParser.IsLegacyDirective(name))
            {
                legacy.Add(node);
            }
            else if (name.Equals("Satisfy", StringComparison.OrdinalIgnoreCase))
            {
                satisfy = ParseSatisfy(node, diagnostics) ?? satisfy;
            }
            else if (name.Equals("AuthMerging", StringComparison.OrdinalIgnoreCase))
            {
                merging = ParseMerging(node, diagnostics) ?? merging;
                mergingNode = node;
            }
            else
            {
                diagnostics.Error(node, $"<{name}>", $"<{name}> is not supported: access rules cannot depend on the HTTP method here",
                    $"remove the <{name}> lines so its rules apply to every method, or enforce methods in the application");
            }
        }

        if (!any)
        {
            return null;
        }

        var require = RequireParser.ParseSection(requireNodes, diagnostics);
        if (merging == AuthMergingMode.Off && require is null && mergingNode is not null)
        {
            // merge_authz_core_dir_config copies the new config when AuthMerging is Off, even an empty one.
            diagnostics.Warning(mergingNode, "AuthMerging",
                "'AuthMerging Off' in a section without Require removes the Require rules it would inherit",
                "remove 'AuthMerging Off' to inherit them, or add the Require rules this section needs");
        }

        return new AccessRules(require, merging, legacy.Result, satisfy);
    }

    private static SatisfyMode? ParseSatisfy(ConfigNode node, ICollection<ConfigDiagnostic> diagnostics)
    {
        if (node.Arguments is [var value])
        {
            if (value.Equals("any", StringComparison.OrdinalIgnoreCase))
            {
                return SatisfyMode.Any;
            }

            if (value.Equals("all", StringComparison.OrdinalIgnoreCase))
            {
                return SatisfyMode.All;
            }
        }

        diagnostics.Error(node, "Satisfy", "Satisfy either 'any' or 'all'", "write 'Satisfy all' or 'Satisfy any'");
        return null;
    }

    private static AuthMergingMode? ParseMerging(ConfigNode node, ICollection<ConfigDiagnostic> diagnostics)
    {
        if (node.Arguments is [var value])
        {
            switch (value.ToLowerInvariant())
            {
                case "off":
                    return AuthMergingMode.Off;
                case "and":
                    return AuthMergingMode.And;
                case "or":
                    return AuthMergingMode.Or;
            }
        }

        diagnostics.Error(node, "AuthMerging", "AuthMerging must be one of: Off | And | Or", "write 'AuthMerging Off', 'AuthMerging And' or 'AuthMerging Or'");
        return null;
    }

    private static void RejectAuthentication(ConfigNode node, ICollection<ConfigDiagnostic> diagnostics) =>
        diagnostics.Error(node, node.Name, $"{node.Name}: authentication is not supported by this server",
            "remove the authentication directives, or put an authenticating proxy in front of this server and allow only the proxy, e.g. 'Require ip <proxy address>'");

    /// <summary>Apache evaluates access rules inside &lt;If&gt; per request; this server does not, so they must
    /// not be quietly dropped by whoever skips the &lt;If&gt;.</summary>
    private static void RejectConditional(ConfigNode node, ICollection<ConfigDiagnostic> diagnostics)
    {
        if (Descendants(node).FirstOrDefault(n => IsAccessDirective(n.Name)) is { } inner)
        {
            var name = inner.IsSection ? $"<{inner.Name}>" : inner.Name;
            diagnostics.Error(inner, name, $"access rules inside <{node.Name}> are not supported",
                $"express the condition as a <Location>, <LocationMatch>, <Directory> or <Files> section that holds the rules, or as Require expr-free rules (Require ip, Require host, Require env with SetEnvIf); moving the rules out without their condition would apply them to every request");
        }
    }

    private static IEnumerable<ConfigNode> Descendants(ConfigNode node) =>
        node.Children.SelectMany(c => Descendants(c).Prepend(c));

    private static void RejectAtServerLevel(IReadOnlyList<ConfigNode> directives, ICollection<ConfigDiagnostic> diagnostics)
    {
        foreach (var node in directives.Where(n => IsAccessDirective(n.Name)))
        {
            var name = node.IsSection ? $"<{node.Name}>" : node.Name;
            diagnostics.Error(node, name, $"{name} not allowed here", "put it inside <Location /> or <Directory ...>");
        }
    }
}
