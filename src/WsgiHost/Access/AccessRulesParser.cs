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

    /// <summary>The authentication directives read: Basic authentication against htpasswd and group files.</summary>
    private static readonly HashSet<string> AuthDirectives = new(StringComparer.OrdinalIgnoreCase)
    {
        "AuthType", "AuthName", "AuthUserFile", "AuthGroupFile", "AuthBasicProvider", "AuthBasicAuthoritative",
        "WSGIAuthUserScript", "WSGIAuthGroupScript", "WSGIAccessScript",
    };

    private static readonly HashSet<string> Sections = new(StringComparer.OrdinalIgnoreCase)
    {
        "RequireAll", "RequireAny", "RequireNone", "Limit", "LimitExcept",
    };

    /// <summary>
    /// Whether the directive or section name belongs to access control: Require, Order, Allow, Deny, Satisfy,
    /// AuthMerging, the RequireAll/Any/None and Limit/LimitExcept sections, mod_wsgi's WSGIAuthUserScript,
    /// WSGIAuthGroupScript and WSGIAccessScript, and every <c>Auth*</c> directive: Basic authentication's (AuthType, AuthName,
    /// AuthUserFile, ...) are read, the others (Digest, LDAP, DBM, forms) are reported as unsupported.
    /// </summary>
    public static bool IsAccessDirective(string name) =>
        Directives.Contains(name) || Sections.Contains(name) || AuthDirectives.Contains(name) || name.StartsWith("Auth", StringComparison.OrdinalIgnoreCase);

    /// <summary>The access rules of a directory-context section's <paramref name="directives"/>; null when there are none.</summary>
    public static AccessRules? Parse(IReadOnlyList<ConfigNode> directives, ICollection<ConfigDiagnostic> diagnostics) =>
        Parse(directives, diagnostics, AccessContext.Directory);

    /// <summary>The access rules of a directory-context section's <paramref name="directives"/>; null when there are none.</summary>
    /// <param name="resolvePath">Makes AuthUserFile's and AuthGroupFile's paths absolute, as every path of the file is.</param>
    public static AccessRules? Parse(IReadOnlyList<ConfigNode> directives, ICollection<ConfigDiagnostic> diagnostics, Func<string, string> resolvePath) =>
        Parse(directives, diagnostics, AccessContext.Directory, resolvePath);

    /// <summary>
    /// The access rules among <paramref name="directives"/>, the children of one section; other nodes are
    /// ignored. Null when there are none. In <see cref="AccessContext.Server"/> every access directive is an
    /// error, as in Apache, and the result is always null.
    /// </summary>
    public static AccessRules? Parse(IReadOnlyList<ConfigNode> directives, ICollection<ConfigDiagnostic> diagnostics, AccessContext context,
        Func<string, string>? resolvePath = null)
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
        AuthSettings? auth = null;
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
            if (AuthDirectives.Contains(name) && !node.IsSection)
            {
                auth = ParseAuth(node, auth ?? new AuthSettings(null, null, null, null), resolvePath ?? Path.GetFullPath, diagnostics);
            }
            else if (!Directives.Contains(name) && !Sections.Contains(name))
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

        return new AccessRules(require, merging, legacy.Result, satisfy, auth);
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
        diagnostics.Error(node, node.Name, $"{node.Name}: this kind of authentication is not supported (WsgiHost has AuthType Basic with AuthUserFile and AuthGroupFile)",
            "use AuthType Basic with an htpasswd file, or put an authenticating proxy in front of this server and allow only the proxy, e.g. 'Require ip <proxy address>'");

    /// <summary>One of Basic authentication's directives, over what the section set before it.</summary>
    private static AuthSettings ParseAuth(ConfigNode node, AuthSettings auth, Func<string, string> resolvePath, ICollection<ConfigDiagnostic> diagnostics)
    {
        var name = node.Name;
        if (node.Arguments.Count == 0)
        {
            diagnostics.Error(node, name, $"{name} needs a value", null);
            return auth;
        }

        var value = node.Arguments[0];
        switch (name.ToLowerInvariant())
        {
            case "authtype":
                if (value.Equals("Basic", StringComparison.OrdinalIgnoreCase) || value.Equals("None", StringComparison.OrdinalIgnoreCase))
                {
                    return auth with { Type = value };
                }

                diagnostics.Error(node, name, $"AuthType {value} is not supported (WsgiHost has Basic, and None)",
                    "use AuthType Basic with an AuthUserFile (over HTTPS, since Basic sends the password as it is), or authenticate in the application");
                return auth;
            case "authname":
                return auth with { Realm = value };
            case "authuserfile":
                return auth with { UserFile = resolvePath(value) };
            case "authgroupfile":
                return auth with { GroupFile = resolvePath(value) };
            case "authbasicprovider":
                if (node.Arguments.FirstOrDefault(p => !p.Equals("file", StringComparison.OrdinalIgnoreCase) && !p.Equals("wsgi", StringComparison.OrdinalIgnoreCase)) is { } provider)
                {
                    diagnostics.Error(node, name, $"the authentication provider '{provider}' is not supported (WsgiHost has 'file': AuthUserFile, and 'wsgi': WSGIAuthUserScript)",
                        "write 'AuthBasicProvider file' with an AuthUserFile, or 'AuthBasicProvider wsgi' with a WSGIAuthUserScript");
                    return auth;
                }

                return auth with { Providers = [.. node.Arguments.Select(p => p.ToLowerInvariant())] };
            case "wsgiauthuserscript":
                return ParseScript(node, resolvePath, diagnostics) is { } userScript ? auth with { UserScript = userScript } : auth;
            case "wsgiauthgroupscript":
                return ParseScript(node, resolvePath, diagnostics) is { } groupScript ? auth with { GroupScript = groupScript } : auth;
            case "wsgiaccessscript":
                return ParseScript(node, resolvePath, diagnostics) is { } accessScript ? auth with { AccessScript = accessScript } : auth;
            default:
                // AuthBasicAuthoritative: with one provider there is none to fall through to.
                if (!value.Equals("On", StringComparison.OrdinalIgnoreCase) && !value.Equals("Off", StringComparison.OrdinalIgnoreCase))
                {
                    diagnostics.Error(node, name, $"{name} must be On or Off, got '{value}'", $"{name} On");
                }

                return auth;
        }
    }

    /// <summary>
    /// <c>WSGIAuthUserScript path [application-group=name]</c> (and WSGIAuthGroupScript, WSGIAccessScript): mod_wsgi's only option
    /// for them; without it the script runs in the main interpreter (<c>%{GLOBAL}</c>).
    /// </summary>
    private static AuthScriptRef? ParseScript(ConfigNode node, Func<string, string> resolvePath, ICollection<ConfigDiagnostic> diagnostics)
    {
        var group = "%{GLOBAL}";
        foreach (var option in node.Arguments.Skip(1))
        {
            int equals = option.IndexOf('=');
            if (equals <= 0 || !option[..equals].Equals("application-group", StringComparison.OrdinalIgnoreCase))
            {
                diagnostics.Error(node, node.Name, $"Invalid option to WSGI authentication script definition: '{option}' (the only option is application-group=)",
                    $"write '{node.Name} {node.Arguments[0]}' or '{node.Name} {node.Arguments[0]} application-group=%{{GLOBAL}}'");
                return null;
            }

            group = option[(equals + 1)..];
            if (group.Length == 0)
            {
                diagnostics.Error(node, node.Name, "application-group= needs a name", "write application-group=%{GLOBAL} for the main interpreter, or a name of a group");
                return null;
            }
        }

        return new AuthScriptRef(resolvePath(node.Arguments[0]), group, node.Location);
    }

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
