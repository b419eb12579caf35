using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Access;

/// <summary>
/// Builds mod_authz_core's rule tree from <c>Require</c> lines and <c>&lt;RequireAll|Any|None&gt;</c> sections,
/// with the checks Apache makes while reading them (<c>add_authz_provider</c>, <c>add_authz_section</c>,
/// <c>authz_core_check_section</c>), so a configuration Apache refuses is refused here too.
/// </summary>
internal static class RequireParser
{
    public const string KnownProviders = "all, ip, host, forward-dns, local, env, valid-user, user, group, wsgi-group";

    /// <summary>
    /// How deep &lt;RequireAll|Any|None&gt; sections may nest. Real configurations nest two or
    /// three; the rule tree is read and evaluated recursively, and 40,000 levels overflowed the
    /// stack (the process died of SIGSEGV reading the configuration) instead of saying what is wrong.
    /// </summary>
    public const int MaxNesting = 256;

    /// <summary>Providers of an authenticated user that are not supported (mod_authz_dbm, _dbd, _owner, ldap).</summary>
    private static readonly HashSet<string> UserProviders = new(StringComparer.OrdinalIgnoreCase)
    {
        "file-owner", "file-group", "dbm-group", "dbd-group",
        "ldap-user", "ldap-group", "ldap-dn", "ldap-attribute", "ldap-filter", "ldap-search",
    };

    /// <summary>The section's rule tree: its Require lines and sections inside the implicit
    /// <c>&lt;RequireAny&gt;</c> Apache puts around them (<c>create_default_section</c>). Null when none parsed.</summary>
    public static ContainerRule? ParseSection(IReadOnlyList<ConfigNode> nodes, ICollection<ConfigDiagnostic> diagnostics)
    {
        var children = ParseChildren(nodes, RequireLogic.Any, "<RequireAny>", 0, diagnostics);
        return children.Count == 0 ? null : new ContainerRule(RequireLogic.Any, negated: false, children);
    }

    public static bool IsContainer(string name, out RequireLogic logic, out bool negated, out string canonical)
    {
        (logic, negated, canonical) = name.ToUpperInvariant() switch
        {
            "REQUIREALL" => (RequireLogic.All, false, "RequireAll"),
            "REQUIREANY" => (RequireLogic.Any, false, "RequireAny"),
            "REQUIRENONE" => (RequireLogic.Any, true, "RequireNone"),
            _ => (RequireLogic.Any, false, ""),
        };
        return canonical.Length > 0;
    }

    private static List<RequireRule> ParseChildren(
        IReadOnlyList<ConfigNode> nodes, RequireLogic logic, string tag, int depth, ICollection<ConfigDiagnostic> diagnostics)
    {
        var rules = new List<RequireRule>();
        foreach (var node in nodes)
        {
            if (!node.IsSection && node.Name.Equals("Require", StringComparison.OrdinalIgnoreCase))
            {
                if (ParseLine(node, diagnostics) is not { } rule)
                {
                    continue;
                }

                if (rule.Negated && logic == RequireLogic.Any)
                {
                    // A negated rule can only deny or be neutral, so under OR it can never decide anything.
                    diagnostics.Error(node, "Require", $"negative Require directive has no effect in {tag} directive",
                        "put it inside <RequireAll> together with a rule that grants, e.g. "
                        + "<RequireAll> Require all granted / Require not ip 10.1.2.3 </RequireAll>");
                    continue;
                }

                rules.Add(rule);
            }
            else if (node.IsSection && IsContainer(node.Name, out var childLogic, out var childNegated, out var canonical))
            {
                if (depth >= MaxNesting)
                {
                    diagnostics.Error(node, $"<{canonical}>", $"authorization sections are nested more than {MaxNesting} deep",
                        "flatten them: a section inside one of its own kind adds nothing (the rules of a <RequireAll> in a <RequireAll> can go in the outer one)");
                    continue;
                }

                if (ParseContainer(node, childLogic, childNegated, canonical, depth + 1, diagnostics) is not { } container)
                {
                    continue;
                }

                if (container.Negated && logic == RequireLogic.Any)
                {
                    diagnostics.Error(node, $"<{canonical}>", $"{container.Tag} directive has no effect in {tag} directive",
                        $"put the <{canonical}> inside <RequireAll> together with a rule that grants, e.g. Require all granted");
                    continue;
                }

                // Apache is associative here: a non-negated container of the same logic is spliced into its parent.
                if (!container.Negated && container.Logic == logic)
                {
                    rules.AddRange(container.Children);
                }
                else
                {
                    rules.Add(container);
                }
            }
            else
            {
                var name = node.IsSection ? $"<{node.Name}>" : node.Name;
                diagnostics.Error(node, name, $"{name} is not allowed inside {tag}",
                    "only Require lines and <RequireAll>, <RequireAny> or <RequireNone> sections may appear there");
            }
        }

        return rules;
    }

    private static ContainerRule? ParseContainer(
        ConfigNode node, RequireLogic logic, bool negated, string canonical, int depth, ICollection<ConfigDiagnostic> diagnostics)
    {
        var tag = $"<{canonical}>";
        if (node.Arguments.Count > 0)
        {
            diagnostics.Error(node, tag, $"{tag} directive doesn't take additional arguments", $"write just {tag}");
        }

        var errorsBefore = diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error);
        var children = ParseChildren(node.Children, logic, tag, depth, diagnostics);
        if (children.Count == 0)
        {
            if (diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error) == errorsBefore)
            {
                diagnostics.Error(node, tag, $"{tag} directive contains no authorization directives",
                    "add Require lines to it, or remove it");
            }

            return null;
        }

        if (logic == RequireLogic.All && !negated && children.All(c => c.Negated))
        {
            // authz_core_check_section: an AND of negations can never grant, so Apache refuses to start.
            diagnostics.Error(node, tag, $"{tag} directive contains only negative authorization directives",
                $"add a rule that grants, such as 'Require all granted', to the {tag}");
            return null;
        }

        return new ContainerRule(logic, negated, children);
    }

    /// <summary>One <c>Require [not] provider args...</c> line; null (with an error) when it cannot be used.</summary>
    private static ProviderRule? ParseLine(ConfigNode node, ICollection<ConfigDiagnostic> diagnostics)
    {
        var words = node.Arguments;
        var negated = words.Count > 0 && words[0].Equals("not", StringComparison.OrdinalIgnoreCase);
        var first = negated ? 1 : 0;
        if (words.Count <= first)
        {
            diagnostics.Error(node, "Require", negated ? "'Require not' needs a provider to negate" : "Require needs a provider",
                "write e.g. 'Require all granted', 'Require ip 10.0.0.0/8' or 'Require not ip 10.1.2.3'");
            return null;
        }

        var name = words[first];
        var args = words.Skip(first + 1).ToList();
        var provider = name.ToLowerInvariant() switch
        {
            "all" => ParseAll(node, args, diagnostics),
            "ip" => ParseIp(node, args, diagnostics),
            "host" => ParseHost(node, args, diagnostics),
            "forward-dns" => ParseForwardDns(node, args, diagnostics),
            "local" => ParseLocal(node, args, diagnostics),
            "env" => ParseEnv(node, args, diagnostics),
            "ssl-verify-client" => ParseSslVerifyClient(node, args, diagnostics),
            "valid-user" => ParseValidUser(node, args, diagnostics),
            "user" => Names(node, "user", args, diagnostics) is { } users ? new NamedUserProvider(users) : null,
            "group" => Names(node, "group", args, diagnostics) is { } groups ? new GroupProvider(groups) : null,
            "wsgi-group" => Names(node, "wsgi-group", args, diagnostics) is { } groups ? new WsgiGroupProvider(groups) : null,
            _ => Unsupported(node, name, diagnostics),
        };
        return provider is null ? null : new ProviderRule(provider, negated);
    }

    private static AuthzProvider? ParseAll(ConfigNode node, List<string> args, ICollection<ConfigDiagnostic> diagnostics)
    {
        if (args.Count == 1 && args[0].Equals("granted", StringComparison.OrdinalIgnoreCase))
        {
            return new AllProvider(true);
        }

        if (args.Count == 1 && args[0].Equals("denied", StringComparison.OrdinalIgnoreCase))
        {
            return new AllProvider(false);
        }

        diagnostics.Error(node, "Require", $"argument for 'Require all' must be 'granted' or 'denied', not '{string.Join(' ', args)}'",
            "write 'Require all granted' or 'Require all denied'");
        return null;
    }

    private static AuthzProvider? ParseIp(ConfigNode node, List<string> args, ICollection<ConfigDiagnostic> diagnostics)
    {
        if (args.Count == 0)
        {
            diagnostics.Error(node, "Require", "'Require ip' needs at least one address or network",
                "write e.g. 'Require ip 10.0.0.0/8 192.168.1.5'");
            return null;
        }

        var networks = new List<IpNetwork>();
        foreach (var word in args)
        {
            if (IpNetwork.TryParse(word, out var network, out var problem) == IpNetwork.ParseOutcome.Parsed)
            {
                networks.Add(network!);
            }
            else
            {
                diagnostics.Error(node, "Require", problem ?? $"'{word}' is not an IP address or network", IpFix(word));
            }
        }

        return networks.Count == args.Count ? new IpProvider(networks) : null;
    }

    /// <summary>The fix shared by Require ip and Allow/Deny for an address that does not parse.</summary>
    public static string IpFix(string word) =>
        word.EndsWith("/0", StringComparison.Ordinal)
            ? "a /0 network is refused, as Apache does; write 'Require all granted' (or 'Allow from all') to mean everyone"
            : "write a full address (10.1.2.3, 2001:db8::1), leading octets (10.1), a network with a prefix length "
              + "(10.0.0.0/8, 2001:db8::/32) or with a netmask (10.0.0.0/255.0.0.0)";

    private static AuthzProvider? ParseHost(ConfigNode node, List<string> args, ICollection<ConfigDiagnostic> diagnostics)
    {
        var names = ParseNames(node, "host", args, diagnostics);
        return names is null ? null : new HostProvider(names);
    }

    private static AuthzProvider? ParseForwardDns(ConfigNode node, List<string> args, ICollection<ConfigDiagnostic> diagnostics)
    {
        var names = ParseNames(node, "forward-dns", args, diagnostics);
        if (names?.FirstOrDefault(n => n.Text.StartsWith('.')) is { } domain)
        {
            diagnostics.Error(node, "Require", $"'Require forward-dns' takes host names, not a domain like '{domain.Text}'",
                "name the host whose addresses are allowed, e.g. 'Require forward-dns office.example.com'");
            return null;
        }

        return names is null ? null : new ForwardDnsProvider(names.Select(n => n.Text).ToList());
    }

    private static List<HostNamePattern>? ParseNames(
        ConfigNode node, string provider, List<string> args, ICollection<ConfigDiagnostic> diagnostics)
    {
        if (args.Count == 0)
        {
            diagnostics.Error(node, "Require", $"'Require {provider}' needs at least one host name",
                $"write e.g. 'Require {provider} www.example.com'");
            return null;
        }

        var names = new List<HostNamePattern>();
        foreach (var word in args)
        {
            if (HostNamePattern.TryParse(word, out var problem, out var fix) is { } name)
            {
                names.Add(name);
                if (provider == "host" && IpNetwork.TryParse(word, out _, out _) == IpNetwork.ParseOutcome.Parsed)
                {
                    diagnostics.Warning(node, "Require", $"'{word}' looks like an address, but 'Require host' compares host names, so it never matches",
                        $"write 'Require ip {word}'");
                }
            }
            else
            {
                diagnostics.Error(node, "Require", problem!, fix);
            }
        }

        return names.Count == args.Count ? names : null;
    }

    private static AuthzProvider? ParseEnv(ConfigNode node, List<string> args, ICollection<ConfigDiagnostic> diagnostics)
    {
        if (args.Count == 0)
        {
            diagnostics.Error(node, "Require", "'Require env' needs at least one variable name", "write e.g. 'Require env internal', with SetEnvIf setting internal");
            return null;
        }
        return new EnvProvider(args);
    }

    private static AuthzProvider? ParseValidUser(ConfigNode node, List<string> args, ICollection<ConfigDiagnostic> diagnostics)
    {
        if (args.Count > 0)
        {
            diagnostics.Error(node, "Require", "'Require valid-user' takes no arguments", $"write 'Require valid-user', or 'Require user {string.Join(' ', args)}' for those users only");
            return null;
        }

        return new ValidUserProvider();
    }

    private static AuthzProvider? ParseSslVerifyClient(ConfigNode node, List<string> args, ICollection<ConfigDiagnostic> diagnostics)
    {
        if (args.Count > 0)
        {
            diagnostics.Error(node, "Require", "'Require ssl-verify-client' takes no arguments", "write 'Require ssl-verify-client', with SSLVerifyClient optional in the <VirtualHost>");
            return null;
        }
        return new SslVerifyClientProvider();
    }

    /// <summary>The user or group names of <c>Require user|group</c>: at least one.</summary>
    private static List<string>? Names(ConfigNode node, string provider, List<string> args, ICollection<ConfigDiagnostic> diagnostics)
    {
        if (args.Count == 0)
        {
            diagnostics.Error(node, "Require", $"'Require {provider}' needs at least one name", $"write e.g. 'Require {provider} {(provider == "user" ? "alice bob" : "staff")}'");
            return null;
        }

        return args;
    }

    private static AuthzProvider? ParseLocal(ConfigNode node, List<string> args, ICollection<ConfigDiagnostic> diagnostics)
    {
        if (args.Count > 0)
        {
            diagnostics.Error(node, "Require", "'Require local' takes no arguments", "write just 'Require local'");
            return null;
        }

        return new LocalProvider();
    }

    private static AuthzProvider? Unsupported(ConfigNode node, string name, ICollection<ConfigDiagnostic> diagnostics)
    {
        var lower = name.ToLowerInvariant();
        if (UserProviders.Contains(lower))
        {
            diagnostics.Error(node, "Require",
                $"'Require {name}' is not supported: WsgiHost authenticates users with AuthType Basic and an AuthUserFile, and tests them with Require valid-user, user, group (AuthGroupFile) and wsgi-group (WSGIAuthGroupScript)",
                "use Require valid-user, user, group or wsgi-group, or check the user in the application");
        }
        else if (lower is "expr" or "method")
        {
            diagnostics.Error(node, "Require", $"'Require {name}' is not supported by this server",
                $"express the rule with Require {KnownProviders.Replace(", ", " / ", StringComparison.Ordinal)} inside <RequireAll> or <RequireAny>, or enforce it in the application");
        }
        else
        {
            diagnostics.Error(node, "Require", $"unknown Require provider '{name}'", $"use one of: {KnownProviders}");
        }

        return null;
    }
}
