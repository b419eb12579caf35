using WsgiHost.Access;
using WsgiHost.Configuration.Model;
using WsgiHost.Configuration.Syntax;
using WsgiHost.Routing;

namespace WsgiHost.Configuration.Directives;

/// <summary>
/// The second phase of reading a configuration: gives each node of the syntax tree its meaning
/// through the directive table and builds the immutable <see cref="SiteConfig"/>. Every
/// problem is collected; the result carries them all, and a config with errors has no model.
/// </summary>
internal static class SiteConfigBuilder
{
    /// <summary>Reads and builds <paramref name="path"/>.</summary>
    public static SiteConfigResult Load(string path, ConfigReaderOptions? options = null)
    {
        ConfigReadResult read = ConfigReader.ReadFile(path, options);
        string root = options?.ServerRoot ?? Path.GetDirectoryName(Path.GetFullPath(path))!;
        return Build(read, path, root);
    }

    /// <summary>Builds from text as if read from <paramref name="fileName"/> (tests, generated configs).</summary>
    public static SiteConfigResult FromText(string text, string fileName, ConfigReaderOptions? options = null)
    {
        ConfigReadResult read = ConfigReader.ReadText(text, fileName, options);
        string root = options?.ServerRoot ?? Path.GetDirectoryName(Path.GetFullPath(fileName))!;
        return Build(read, fileName, root);
    }

    internal static SiteConfigResult Build(ConfigReadResult read, string source, string serverRoot)
    {
        var site = new SiteState(serverRoot);
        site.Diagnostics.AddRange(read.Diagnostics);
        var main = new ScopeBuilder(new SourceLocation(source, 1), false, []);
        var vhosts = new List<ScopeBuilder>();
        Walk(read.Nodes, new BuildContext(site, main, main.Defaults, DirectiveScope.Server), vhosts, null);
        Validate(site, main, vhosts);
        if (site.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            return new SiteConfigResult(null, site.Diagnostics);
        }
        var config = new SiteConfig
        {
            Source = source,
            Listeners = [.. site.Listeners],
            MainServer = main.Build(),
            VirtualHosts = [.. vhosts.Select(v => v.Build(main))],
            DaemonGroups = [.. site.DaemonGroups.Select(g => g.Group with { OwnerServerName = g.Scope.IsVirtualHost ? g.Scope.ServerName ?? main.ServerName : null })],
            ImportScripts = [.. site.ImportScripts],
            Python = new PythonSettings { Home = site.PythonHome, HomeLocation = site.PythonHomeLocation, Path = [.. site.PythonPath], OwnGil = site.OwnGil, Optimize = site.PythonOptimize, ApplicationInterpreters = site.ApplicationInterpreters, ApplicationInterpretersLocation = site.ApplicationInterpretersLocation },
            RestrictEmbedded = site.RestrictEmbedded,
            Threads = site.Threads ?? 15,
            User = site.RunAsUser,
            Group = site.RunAsGroup,
            LogFormats = new Dictionary<string, string>(site.LogFormats),
            LogLevel = site.LogLevel,
            ModuleLogLevels = new Dictionary<string, WsgiHost.Python.Runtime.ErrorLogLevel>(site.ModuleLogLevels, StringComparer.OrdinalIgnoreCase),
            ErrorLog = site.ErrorLogPath,
            PidFile = site.PidFile,
            TimeoutSeconds = site.TimeoutSeconds,
            KeepAliveTimeoutSeconds = site.KeepAlive ? site.KeepAliveTimeoutSeconds : 0,
            MaxKeepAliveRequests = site.MaxKeepAliveRequests,
            RequestLimits = site.RequestLimits,
            GracefulShutdownTimeoutSeconds = site.GracefulShutdownTimeoutSeconds,
        };
        return new SiteConfigResult(config, site.Diagnostics);
    }

    /// <param name="directory">The &lt;Directory&gt; around a nested &lt;Files&gt;, else null.</param>
    private static void Walk(IReadOnlyList<ConfigNode> nodes, BuildContext context, List<ScopeBuilder> vhosts, Section<object?>? directory)
    {
        foreach (ConfigNode written in nodes)
        {
            ConfigNode node = written;
            if (node.IsSection)
            {
                Section(node, context, vhosts, directory);
                continue;
            }
            if (!DirectiveTable.Directives.TryGetValue(node.Name, out DirectiveSpec? spec))
            {
                string? suggestion = DirectiveTable.Suggest(node.Name);
                context.Error(node, $"Invalid command '{node.Name}', perhaps misspelled or defined by a module WsgiHost does not have",
                    suggestion != null ? $"did you mean {suggestion}?" : "remove it");
                continue;
            }
            if ((spec.Allowed & context.Where) == 0)
            {
                context.Error(node, $"not allowed {Describe(context.Where)}", PlacementFix(spec));
                continue;
            }
            if (node.Arguments.Count > 1 && spec.Syntax.Equals("On|Off", StringComparison.OrdinalIgnoreCase))
            {
                // Apache's On/Off directives read one word and ignore the rest, so "RewriteEngine on # force https" runs there.
                context.Warning(node, $"the words after '{node.Arguments[0]}' are ignored, as Apache ignores them", $"{spec.Name} {node.Arguments[0]}, with a comment on a line of its own");
                node = node with { Arguments = [node.Arguments[0]] };
            }
            if (!spec.AcceptsCount(node.Arguments.Count))
            {
                context.Error(node, $"takes {Count(spec)}, got {node.Arguments.Count}", $"{spec.Name} {spec.Syntax}");
                continue;
            }
            if (EmptyRequiredArgument(spec, node) is int empty)
            {
                // Apache reads "" as a missing argument; taken as a path it would be the config's own folder.
                context.Error(node, $"argument {empty + 1} is empty (\"\"), which Apache reads as a missing argument", $"{spec.Name} {spec.Syntax}");
                continue;
            }
            spec.Handler(node, context);
        }
    }

    private static void Section(ConfigNode node, BuildContext context, List<ScopeBuilder> vhosts, Section<object?>? directory)
    {
        string name = node.Name;
        if (name.Equals("VirtualHost", StringComparison.OrdinalIgnoreCase))
        {
            if (context.Where != DirectiveScope.Server)
            {
                context.Error(node, $"<VirtualHost> cannot be {Describe(context.Where)}", "close the enclosing section first");
                return;
            }
            var addresses = VirtualHostAddresses(node, context);
            var vhost = new ScopeBuilder(node.Location, true, addresses);
            vhosts.Add(vhost);
            Walk(node.Children, new BuildContext(context.Site, vhost, vhost.Defaults, DirectiveScope.VirtualHost), vhosts, null);
            return;
        }
        if (AccessRulesParser.IsAccessDirective(name))
        {
            if (context.Where != DirectiveScope.Section)
            {
                context.Error(node, $"not allowed {Describe(context.Where)}", $"put <{name}> inside <Location> or <Directory>");
            }
            return; // read with the rest of its section by the access-rules parser
        }
        if (!Access.Section.TryGetKind(name, out SectionKind kind))
        {
            if (name is "If" or "ElseIf" or "Else")
            {
                // Apache 2.4's expression sections: not unknown, and not safe to drop (a Require in
                // one would then hold for every request, or for none).
                context.Error(node, $"<{name}> (Apache's per-request expressions) is not supported",
                    "express the condition with sections (<Location>, <Directory>, <Files>, <VirtualHost>) or SetEnvIf and Require env; do not remove the section without its condition");
                return;
            }
            string? suggestion = DirectiveTable.Suggest(name);
            context.Error(node, $"unknown section <{name}>", suggestion != null ? $"did you mean <{suggestion}>?" : "remove it");
            return;
        }
        bool isFiles = kind is SectionKind.Files or SectionKind.FilesMatch;
        if (context.Where == DirectiveScope.Section && !(isFiles && directory != null))
        {
            context.Error(node, $"<{name}> cannot be nested here", isFiles ? "put <Files> directly in the server, a <VirtualHost> or a <Directory>" : "close the enclosing section first");
            return;
        }
        IReadOnlyList<string> args = node.Arguments;
        if (kind == SectionKind.Directory && args.Count == 1 && !Path.IsPathRooted(args[0]) && !args[0].StartsWith('*'))
        {
            // Relative like every other path in the file: from ServerRoot (Apache would use its cwd).
            args = [context.ResolvePath(args[0])];
        }
        var perDir = new PerDirBuilder();
        // The matcher of this Directory, for the <Files> sections nested in it (its own errors are reported below).
        Section<object?>? enclosing = kind is SectionKind.Directory or SectionKind.DirectoryMatch
            ? Access.Section.TryCreate<object?>(kind, args, null, node.Location, new List<ConfigDiagnostic>())
            : null;
        Walk(node.Children, new BuildContext(context.Site, context.Scope, perDir, DirectiveScope.Section), vhosts, enclosing);
        AccessRules? access = AccessRulesParser.Parse(node.Children, context.Site.Diagnostics, context.ResolvePath);
        var payload = new SectionPayload(perDir.Value, access, node.Location);
        var section = Access.Section.TryCreate(kind, args, payload, node.Location, context.Site.Diagnostics);
        if (section != null)
        {
            context.Scope.Sections.Add(isFiles && directory != null ? section with { Within = directory } : section);
        }
    }

    private static List<IPEndPointPattern> VirtualHostAddresses(ConfigNode node, BuildContext context)
    {
        var result = new List<IPEndPointPattern>();
        if (node.Arguments.Count == 0)
        {
            context.Error(node, "needs at least one address", "<VirtualHost *:80>");
        }
        foreach (string arg in node.Arguments)
        {
            string value = arg;
            bool anyPort = value.EndsWith(":*", StringComparison.Ordinal);
            if (anyPort)
            {
                value = value[..^2];
            }
            if (anyPort || (!value.Contains(':') || (value.StartsWith('[') && value.EndsWith(']'))))
            {
                // addr without a port, or addr:*: any port, as Apache's "*" port.
                string host = value.Trim('[', ']');
                if (host is "*" or "_default_")
                {
                    result.Add(new IPEndPointPattern(null, null));
                }
                else if (System.Net.IPAddress.TryParse(host, out var ip))
                {
                    result.Add(new IPEndPointPattern(ip, null));
                }
                else
                {
                    context.Error(node, $"'{arg}' is not an address: WsgiHost takes IP addresses or *, not host names, in <VirtualHost>", "<VirtualHost *:80> and a ServerName line");
                }
                continue;
            }
            string addressPart = value.Replace("_default_", "*", StringComparison.Ordinal);
            string hostPart = addressPart[..addressPart.LastIndexOf(':')].Trim('[', ']');
            if (hostPart != "*" && !System.Net.IPAddress.TryParse(hostPart, out _))
            {
                context.Error(node, $"'{arg}' is not an address: WsgiHost takes IP addresses or *, not host names, in <VirtualHost>", "<VirtualHost *:80> and a ServerName line");
                continue;
            }
            if (!CoreDirectives.TryParseAddress(addressPart, out var address, out int port))
            {
                context.Error(node, $"'{arg}' is not address:port", "<VirtualHost *:80> or <VirtualHost 127.0.0.1:8080>");
                continue;
            }
            result.Add(new IPEndPointPattern(address, port));
        }
        return result;
    }

    private static void Validate(SiteState site, ScopeBuilder main, List<ScopeBuilder> vhosts)
    {
        foreach (ScopeBuilder scope in vhosts.Prepend(main))
        {
            // As in Apache, rules where RewriteEngine is not On do nothing: said, since that is rarely meant.
            if (scope.RewriteEngine != true && scope.RewriteRules.Count > 0)
            {
                site.Diagnostics.Add(new ConfigDiagnostic(DiagnosticSeverity.Warning, scope.RewriteRules[0].Location, "RewriteRule",
                    $"RewriteEngine is not On in this {(scope.IsVirtualHost ? "<VirtualHost>" : "server")}, so its {scope.RewriteRules.Count} RewriteRule line(s) do nothing",
                    "add RewriteEngine On to the same scope"));
            }
        }
        if (site.Listeners.Count == 0)
        {
            site.Diagnostics.Add(new ConfigDiagnostic(DiagnosticSeverity.Error, main.Location, "Listen",
                "no Listen directive: the server would not listen anywhere", "add Listen 127.0.0.1:8000 (or the address and port to serve)"));
        }
        foreach (ScopeBuilder vhost in vhosts)
        {
            foreach (IPEndPointPattern address in vhost.Addresses)
            {
                if (!site.Listeners.Any(l => (address.Port == null || address.Port == l.Port) && (address.Address == null || l.Address == null || address.Address.Equals(l.Address))))
                {
                    site.Diagnostics.Add(new ConfigDiagnostic(DiagnosticSeverity.Warning, vhost.Location, "<VirtualHost>",
                        $"no Listen covers {address}, so this virtual host never receives a request", $"add Listen {ListenFor(address)}"));
                }
            }
            if (vhost.SslEngine == true && (vhost.CertificateFile == null))
            {
                site.Diagnostics.Add(new ConfigDiagnostic(DiagnosticSeverity.Error, vhost.SslEngineNode!.Location, "SSLEngine",
                    "SSLEngine on without a readable SSLCertificateFile", "add SSLCertificateFile and SSLCertificateKeyFile with PEM files"));
            }
            if (vhost.SslEngine == true && (vhost.VerifyClient ?? main.VerifyClient) is Model.ClientVerifyMode.Optional or Model.ClientVerifyMode.Require
                && !vhost.CaWritten && !main.CaWritten)
            {
                // As mod_ssl (AH01897), which starts and then refuses every certificate: none can verify.
                site.Diagnostics.Add(new ConfigDiagnostic(DiagnosticSeverity.Warning, vhost.SslEngineNode!.Location, "SSLVerifyClient",
                    "client certificates are asked for, but no SSLCACertificateFile or SSLCACertificatePath says which CA issues them: every client that sends one is refused",
                    "add SSLCACertificateFile with the PEM certificate of the CA that signs your clients' certificates (or SSLVerifyClient optional_no_ca to leave the check to the app)"));
            }
        }
        LogDirectives.ResolveNicknames(site);
        foreach (GroupReference reference in site.GroupReferences)
        {
            CheckGroupReference(site, main, reference);
        }
    }

    /// <summary>mod_wsgi's scoping (catalog §5), checked now rather than as a 500 at request time.</summary>
    private static void CheckGroupReference(SiteState site, ScopeBuilder main, GroupReference reference)
    {
        var (group, owner) = site.DaemonGroups.FirstOrDefault(g => g.Group.Name == reference.Name);
        if (group == null)
        {
            string? suggestion = DidYouMean.Suggest(reference.Name, site.DaemonGroups.Select(g => g.Group.Name));
            site.Report(DiagnosticSeverity.Error, reference.Node, $"no WSGIDaemonProcess defines the group '{reference.Name}'",
                suggestion != null ? $"did you mean '{suggestion}'?" : $"add WSGIDaemonProcess {reference.Name} (outside the <VirtualHost> blocks to share it), or remove the reference to run embedded");
            return;
        }
        if (!owner.IsVirtualHost)
        {
            return;
        }
        string? ownerName = owner.ServerName ?? main.ServerName;
        string? userName = reference.Scope.ServerName ?? main.ServerName;
        if (!reference.Scope.IsVirtualHost || !string.Equals(ownerName, userName, StringComparison.OrdinalIgnoreCase))
        {
            site.Report(DiagnosticSeverity.Error, reference.Node,
                $"the daemon group '{reference.Name}' was defined inside the virtual host at {owner.Location} (ServerName {ownerName ?? "none"}) and cannot be used {(reference.Scope.IsVirtualHost ? $"from a virtual host with ServerName {userName ?? "none"}" : "from the main server")}",
                "move its WSGIDaemonProcess outside the <VirtualHost> blocks, or give both virtual hosts the same ServerName");
        }
    }

    /// <summary>The Listen argument that covers <paramref name="address"/>.</summary>
    private static string ListenFor(IPEndPointPattern address)
    {
        string port = address.Port?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "80";
        return address.Address == null ? port
            : address.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address.Address}]:{port}"
            : $"{address.Address}:{port}";
    }

    private static string Describe(DirectiveScope where) => where switch
    {
        DirectiveScope.Server => "outside a <VirtualHost> (in the main server)",
        DirectiveScope.VirtualHost => "directly in <VirtualHost>",
        _ => "inside <Directory>, <Location> or <Files>",
    };

    private static string PlacementFix(DirectiveSpec spec)
    {
        if (spec.Allowed == DirectiveScope.Section)
        {
            return $"put {spec.Name} inside <Location /> or <Directory ...>";
        }
        if (spec.Allowed == DirectiveScope.VirtualHost)
        {
            return $"move {spec.Name} inside a <VirtualHost>";
        }
        if (spec.Allowed == DirectiveScope.Server)
        {
            return $"move {spec.Name} outside every <VirtualHost> and section";
        }
        if ((spec.Allowed & DirectiveScope.Section) == 0)
        {
            return $"move {spec.Name} to the <VirtualHost> or the main server";
        }
        return $"move {spec.Name}";
    }

    /// <summary>Directives whose arguments Apache reads as raw text (RAW_ARGS), where an empty word may be meant.</summary>
    private static readonly HashSet<string> RawArguments = new(StringComparer.OrdinalIgnoreCase)
    {
        "Header", "RequestHeader", "SetEnvIf", "SetEnvIfNoCase", "BrowserMatch", "BrowserMatchNoCase", "RewriteRule", "RewriteCond",
    };

    /// <summary>The index of a required argument written as "" (the first <see cref="DirectiveSpec.MinArgs"/>, or the first of a directive that needs none); null when none is.</summary>
    private static int? EmptyRequiredArgument(DirectiveSpec spec, ConfigNode node)
    {
        if (RawArguments.Contains(spec.Name))
        {
            return null;
        }
        int required = Math.Min(Math.Max(spec.MinArgs, 1), node.Arguments.Count);
        for (int i = 0; i < required; i++)
        {
            if (node.Arguments[i].Length == 0)
            {
                return i;
            }
        }
        return null;
    }

    private static string Count(DirectiveSpec spec) =>
        spec.MaxArgs < 0 ? $"at least {spec.MinArgs} argument(s)"
        : spec.MinArgs == spec.MaxArgs ? $"{spec.MinArgs} argument(s)"
        : $"{spec.MinArgs} to {spec.MaxArgs} arguments";
}

/// <summary>A built configuration (null when there were errors) and everything found on the way.</summary>
internal sealed record SiteConfigResult(SiteConfig? Config, IReadOnlyList<ConfigDiagnostic> Diagnostics)
{
    public bool HasErrors => Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
}
