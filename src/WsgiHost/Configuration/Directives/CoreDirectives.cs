using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using WsgiHost.Configuration.Model;
using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Configuration.Directives;

/// <summary>Apache core, mod_alias, mod_env and connection directives.</summary>
internal static class CoreDirectives
{
    private const DirectiveScope SV = DirectiveScope.ServerAndVirtualHost;

    public static IEnumerable<DirectiveSpec> All() =>
    [
        // The reader already applied it to Include paths; here it anchors every other relative path.
        new("ServerRoot", DirectiveScope.Server, 1, 1, "directory", (n, c) => c.Site.ServerRoot = Path.GetFullPath(n.Arguments[0])),
        new("Listen", DirectiveScope.Server, 1, 2, "[IP-address:]port [protocol]", Listen),
        new("ServerName", SV, 1, 1, "[scheme://]host[:port]", ServerName),
        new("ServerAlias", DirectiveScope.VirtualHost, 1, -1, "hostname [hostname] ...", (n, c) => c.Scope.ServerAliases.AddRange(n.Arguments)),
        new("DocumentRoot", SV, 1, 1, "directory", (n, c) => c.Scope.DocumentRoot = c.ResolvePath(n.Arguments[0])),
        new("Alias", SV, 2, 2, "URL-path file-or-directory", Alias),
        new("AliasMatch", SV, 2, 2, "regex file-or-directory", Alias),
        new("ScriptAlias", SV, 2, 2, "URL-path file-or-directory", Alias),
        new("ScriptAliasMatch", SV, 2, 2, "regex file-or-directory", Alias),
        new("SetEnv", DirectiveScope.Anywhere, 1, 2, "VAR [value]", SetEnv),
        new("UnsetEnv", DirectiveScope.Anywhere, 1, -1, "VAR [VAR] ...", UnsetEnv),
        new("LimitRequestBody", DirectiveScope.Anywhere, 1, 1, "bytes", LimitRequestBody),
        new("Timeout", DirectiveScope.Server, 1, 1, "seconds", (n, c) => c.Site.TimeoutSeconds = (int)(c.Number(n, "Timeout", n.Arguments[0], 1, 86400) ?? 60)),
        new("KeepAlive", DirectiveScope.Server, 1, 1, "On|Off", (n, c) => c.Site.KeepAlive = c.Flag(n, n.Arguments[0]) ?? true),
        new("MaxKeepAliveRequests", DirectiveScope.Server, 1, 1, "number", (n, c) => c.Site.MaxKeepAliveRequests = (int)(c.Number(n, "MaxKeepAliveRequests", n.Arguments[0], 0, int.MaxValue) ?? 0)),
        new("KeepAliveTimeout", DirectiveScope.Server, 1, 1, "seconds", (n, c) => c.Site.KeepAliveTimeoutSeconds = (int)(c.Number(n, "KeepAliveTimeout", n.Arguments[0], 0, 86400) ?? 5)),
        new("GracefulShutdownTimeout", DirectiveScope.Server, 1, 1, "seconds",
            (n, c) => c.Site.GracefulShutdownTimeoutSeconds = (int)(c.Number(n, "GracefulShutdownTimeout", n.Arguments[0], 0, 86400) ?? 10)),
        new("ThreadsPerChild", DirectiveScope.Server, 1, 1, "number", ThreadsPerChild),
        new("User", DirectiveScope.Server, 1, 1, "unix-user|#uid", (n, c) => RunAs(n, c, user: true)),
        new("Group", DirectiveScope.Server, 1, 1, "unix-group|#gid", (n, c) => RunAs(n, c, user: false)),
        new("Options", DirectiveScope.Anywhere, 1, -1, "[+|-]option ...", Options),
        new("AllowOverride", DirectiveScope.Section, 1, -1, "None|All|directive-type ...", AllowOverride),
        new("DirectoryIndex", DirectiveScope.Anywhere, 1, -1, "local-url ...", DirectoryIndex),
        new("FileETag", DirectiveScope.Anywhere, 1, -1, "component ...", FileETag),
        new("TraceEnable", SV, 1, 1, "on|off|extended", TraceEnable),
        new("UseCanonicalName", SV, 1, 1, "on|off|dns", UseCanonicalName),
        new("AllowEncodedSlashes", SV, 1, 1, "On|Off|NoDecode", AllowEncodedSlashes),
        new("MergeSlashes", SV, 1, 1, "On|Off", (n, c) => c.Scope.MergeSlashes = c.Flag(n, n.Arguments[0])),
        new("AcceptPathInfo", DirectiveScope.Anywhere, 1, 1, "On|Off|Default", AcceptPathInfo),
        new("DirectorySlash", DirectiveScope.Anywhere, 1, 1, "On|Off", DirectorySlash),
        new("RemoteIPProxyProtocol", SV, 1, 1, "On|Off", (n, c) => c.Scope.ProxyProtocol = c.Flag(n, n.Arguments[0]) ?? false),
        new("SetHandler", DirectiveScope.Section, 1, 1, "server-status|wsgihost-health|wsgihost-metrics|None", SetHandler),
    ];

    private static void Listen(ConfigNode node, BuildContext context)
    {
        string value = node.Arguments[0];
        if (node.Arguments.Count == 2 && !node.Arguments[1].Equals("http", StringComparison.OrdinalIgnoreCase)
            && !node.Arguments[1].Equals("https", StringComparison.OrdinalIgnoreCase))
        {
            context.Error(node, $"unknown protocol '{node.Arguments[1]}'", "use http or https, or leave the protocol out");
        }
        if (!TryParseAddress(value, out IPAddress? address, out int port))
        {
            context.Error(node, $"'{value}' is not [IP-address:]port", "for example Listen 8080 or Listen 127.0.0.1:8080 or Listen [::1]:8080");
            return;
        }
        if (context.Site.Listeners.FirstOrDefault(l => l.Port == port && Equals(l.Address, address)) is { } same)
        {
            context.Error(node, $"{value} is already listed at {same.Location}", "remove the duplicate Listen");
            return;
        }
        if (context.Site.Listeners.FirstOrDefault(l => l.Port == port && (l.Address == null || address == null)) is { } overlap)
        {
            // Binding both fails at startup (address in use), as it does for Apache.
            context.Error(node, $"{value} overlaps Listen {overlap} at {overlap.Location}, which already takes port {port} on {(overlap.Address == null ? "every address" : overlap.Address.ToString())}",
                $"keep one of them: Listen {port} for every address, or one Listen per address");
            return;
        }
        context.Site.Listeners.Add(new ListenAddress(address, port, node.Location));
    }

    /// <summary>[IP-address:]port, with IPv6 addresses in brackets; "*" or no address means every address.</summary>
    internal static bool TryParseAddress(string value, out IPAddress? address, out int port)
    {
        address = null;
        string portText = value;
        int colon = value.LastIndexOf(':');
        if (colon >= 0 && (value.StartsWith('[') ? value.LastIndexOf(']') < colon : true))
        {
            string host = value[..colon].Trim('[', ']');
            portText = value[(colon + 1)..];
            if (host != "*" && host.Length > 0)
            {
                if (!IPAddress.TryParse(host, out address))
                {
                    port = 0;
                    return false;
                }
            }
        }
        return int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and <= 65535;
    }

    private static void ServerName(ConfigNode node, BuildContext context)
    {
        string value = node.Arguments[0];
        int scheme = value.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            context.Scope.ServerNameScheme = value[..scheme].ToLowerInvariant();
            value = value[(scheme + 3)..];
        }
        int colon = value.LastIndexOf(':');
        if (colon > 0 && !value.EndsWith(']'))
        {
            if (!int.TryParse(value[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is <= 0 or > 65535)
            {
                context.Error(node, $"'{node.Arguments[0]}' has an invalid port", "ServerName www.example.com or ServerName www.example.com:8080");
                return;
            }
            context.Scope.ServerNamePort = port;
            value = value[..colon];
        }
        if (value.Length == 0 || value.Contains('*') || value.Contains('?'))
        {
            context.Error(node, $"'{node.Arguments[0]}' is not a host name", "ServerName takes one plain name; put wildcards in ServerAlias");
            return;
        }
        context.Scope.ServerName = value;
    }

    /// <summary>
    /// Alias and AliasMatch; and ScriptAlias and ScriptAliasMatch, whose CGI programs WsgiHost
    /// does not run: their URLs are refused (403), never sent as files, with a warning, so a site
    /// that carries a /cgi-bin/ it does not use still runs.
    /// </summary>
    private static void Alias(ConfigNode node, BuildContext context)
    {
        bool regex = node.Name.EndsWith("AliasMatch", StringComparison.OrdinalIgnoreCase);
        bool cgi = node.Name.StartsWith("Script", StringComparison.OrdinalIgnoreCase);
        string url = node.Arguments[0];
        if (regex ? !IsValidRegex(node, url, context) : !url.StartsWith('/'))
        {
            if (!regex)
            {
                context.Error(node, $"the URL path '{url}' must start with '/'", $"Alias /{url.TrimStart('/')} {node.Arguments[1]}");
            }
            return;
        }
        string target = regex && node.Arguments[1].Contains('$') ? node.Arguments[1] : context.ResolvePath(node.Arguments[1]);
        context.Scope.Aliases.Add(new AliasConfig(url, regex, target, node.Location) { IsCgi = cgi });
        if (cgi)
        {
            context.Warning(node, $"CGI programs are not run by WsgiHost, so this is not applied as in Apache: requests for {url} are answered 403 (the programs' files are never sent)",
                "serve the program as a WSGI app with WSGIScriptAlias, or remove the line if nothing is served there");
        }
    }

    internal static bool IsValidRegex(ConfigNode node, string pattern, BuildContext context)
    {
        if (pattern.Length > Access.ApacheRegex.MaxPatternLength)
        {
            context.Error(node, $"the expression is {pattern.Length} characters long, more than the {Access.ApacheRegex.MaxPatternLength} WsgiHost reads", "shorten it");
            return false;
        }
        try
        {
            _ = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            return true;
        }
        catch (ArgumentException e)
        {
            context.Error(node, $"'{pattern}' is not a valid regular expression: {e.Message}", null);
            return false;
        }
    }

    private static void SetEnv(ConfigNode node, BuildContext context)
    {
        string value = node.Arguments.Count > 1 ? node.Arguments[1] : "";
        context.PerDir.Value = context.PerDir.Value with { SetEnv = AppendOnlyList<KeyValuePair<string, string?>>.Append(context.PerDir.Value.SetEnv, new KeyValuePair<string, string?>(node.Arguments[0], value)) };
    }

    private static void UnsetEnv(ConfigNode node, BuildContext context) =>
        context.PerDir.Value = context.PerDir.Value with
        {
            SetEnv = AppendOnlyList<KeyValuePair<string, string?>>.Append(context.PerDir.Value.SetEnv, [.. node.Arguments.Select(a => new KeyValuePair<string, string?>(a, null))]),
        };

    private static void LimitRequestBody(ConfigNode node, BuildContext context)
    {
        // Apache's limit is 2 GiB; 0 means unlimited.
        if (context.Number(node, "LimitRequestBody", node.Arguments[0], 0, 2147483647) is long bytes)
        {
            context.PerDir.Value = context.PerDir.Value with { LimitRequestBody = bytes };
        }
    }

    /// <summary>
    /// UseCanonicalName On: SERVER_NAME and SERVER_PORT are ServerName's (its port, else the
    /// scheme's), not what the client's Host says; Off (Apache's default) takes the Host.
    /// </summary>
    private static void UseCanonicalName(ConfigNode node, BuildContext context)
    {
        if (context.Keyword(node, "on", "off", "dns") is int choice)
        {
            if (choice == 2)
            {
                context.Error(node, "UseCanonicalName DNS is not supported (a reverse DNS lookup of the server's address for every request)",
                    "UseCanonicalName On with the name in ServerName, or Off");
                return;
            }
            context.Scope.UseCanonicalName = choice == 0;
        }
    }

    private static void TraceEnable(ConfigNode node, BuildContext context)
    {
        if (context.Keyword(node, "on", "off", "extended") is int choice)
        {
            context.Scope.TraceEnable = choice switch { 0 => "on", 1 => "off", _ => "extended" };
        }
    }

    private static void AllowEncodedSlashes(ConfigNode node, BuildContext context)
    {
        if (context.Keyword(node, "On", "Off", "NoDecode") is int choice)
        {
            context.Scope.EncodedSlashes = choice switch { 0 => EncodedSlashes.On, 1 => EncodedSlashes.Off, _ => EncodedSlashes.NoDecode };
        }
    }

    private static void AcceptPathInfo(ConfigNode node, BuildContext context)
    {
        // Default is the handler's choice, and mod_wsgi's is to accept, as On.
        if (context.Keyword(node, "On", "Off", "Default") is int choice)
        {
            context.PerDir.Value = context.PerDir.Value with { AcceptPathInfo = choice != 1 };
        }
    }

    /// <summary>On is what WsgiHost does (a folder's URL without its slash is redirected to it); Off is not applied.</summary>
    private static void DirectorySlash(ConfigNode node, BuildContext context)
    {
        if (context.Flag(node, node.Arguments[0]) == false)
        {
            context.Warning(node, "a folder's URL without its trailing slash is still redirected to the URL with it, so this is not applied",
                "remove the line, or link to folders with their trailing slash");
        }
    }

    private static void ThreadsPerChild(ConfigNode node, BuildContext context)
    {
        if (context.Number(node, "ThreadsPerChild", node.Arguments[0], 1, 1024) is long n)
        {
            context.Site.Threads = (int)n;
            context.Note(node, $"embedded mode runs {n} WSGI request threads (Apache's per-child thread count)");
        }
    }

    /// <summary>
    /// Apache's User and Group: a server started as root becomes them once it has bound its ports
    /// and opened its logs (ServerIdentity), and daemon workers without user=/group= take them,
    /// as mod_wsgi's daemon processes do.
    /// </summary>
    private static void RunAs(ConfigNode node, BuildContext context, bool user)
    {
        string name = node.Arguments[0];
        if (name.Length == 0 || name.AsSpan().ContainsAny(" :/\0"))
        {
            context.Error(node, $"'{name}' is not a {(user ? "user" : "group")} name", user ? "User www-data  or  User #33" : "Group www-data  or  Group #33");
            return;
        }
        if (user)
        {
            context.Site.RunAsUser = name;
        }
        else
        {
            context.Site.RunAsGroup = name;
        }
        context.Note(node, $"started as root, the server becomes {(user ? "user" : "group")} {name} once its ports are bound and its logs open, and daemon workers without {(user ? "user=" : "group=")} run as {name}, as under Apache and mod_wsgi");
    }

    private static void Options(ConfigNode node, BuildContext context)
    {
        var words = node.Arguments.Select(a => a.TrimStart('+', '-')).ToList();
        if (TurnsOn(node, "Indexes"))
        {
            context.Warning(node, "Indexes: WsgiHost never lists folders; a folder URL without an index file is 404",
                "remove Indexes (or serve a generated index.html)");
        }
        if (TurnsOn(node, "MultiViews"))
        {
            context.Warning(node, "MultiViews: WsgiHost does not negotiate, so /page does not find page.html or page.html.en; such a URL is 404",
                "remove MultiViews and link the files by their full names");
        }
        var unknown = words.Where(w => !KnownOptions.Contains(w)).ToList();
        if (unknown.Count > 0)
        {
            context.Error(node, $"unknown option '{unknown[0]}'", $"Apache's options are {string.Join(", ", KnownOptions)}");
            return;
        }
        bool relative = node.Arguments.Any(a => a.StartsWith('+') || a.StartsWith('-'));
        if (relative && node.Arguments.Any(a => !a.StartsWith('+') && !a.StartsWith('-')))
        {
            // Apache 2.4 refuses the mix too: which of the two meanings was meant cannot be told.
            context.Error(node, "either every option starts with + or -, or none does", $"Options {string.Join(' ', node.Arguments.Select(a => a.StartsWith('+') || a.StartsWith('-') ? a : "+" + a))}");
            return;
        }
        // The symbolic-link options are enforced for files served from the folder
        // (StaticFiles.SymbolicLinks); an Options line without + or - sets every option, so one
        // that does not name FollowSymLinks turns it off, as in Apache.
        bool? Set(string option) => relative
            ? node.Arguments.LastOrDefault(a => a[1..].Equals(option, StringComparison.OrdinalIgnoreCase)) is { } word ? word[0] == '+' : null
            : words.Any(w => w.Equals(option, StringComparison.OrdinalIgnoreCase) || w.Equals("All", StringComparison.OrdinalIgnoreCase));
        context.PerDir.Value = context.PerDir.Value with
        {
            FollowSymLinks = Set("FollowSymLinks") ?? context.PerDir.Value.FollowSymLinks,
            SymLinksIfOwnerMatch = Set("SymLinksIfOwnerMatch") ?? context.PerDir.Value.SymLinksIfOwnerMatch,
        };
        context.Note(node, "no CGI or SSI is run and no folder is listed, whatever Options says");
    }

    private static bool TurnsOn(ConfigNode node, string option) =>
        node.Arguments.Any(a => a.TrimStart('+').Equals(option, StringComparison.OrdinalIgnoreCase) && !a.StartsWith('-'));

    private static readonly HashSet<string> KnownOptions = new(StringComparer.OrdinalIgnoreCase)
    {
        "All", "None", "ExecCGI", "FollowSymLinks", "Includes", "IncludesNOEXEC", "Indexes", "MultiViews", "SymLinksIfOwnerMatch",
    };

    private static void AllowOverride(ConfigNode node, BuildContext context)
    {
        bool none = node.Arguments.Count == 1 && node.Arguments[0].Equals("None", StringComparison.OrdinalIgnoreCase);
        context.PerDir.Value = context.PerDir.Value with { AllowOverride = !none };
        if (!none)
        {
            context.Warning(node, ".htaccess files are not read by WsgiHost: a request for a path through a folder here that has one is answered 500, never served past its rules",
                "move the .htaccess rules into this section and write AllowOverride None");
        }
    }

    private static readonly string[] Handlers = ["server-status", "wsgihost-health", "wsgihost-metrics", "none"];

    private static void SetHandler(ConfigNode node, BuildContext context)
    {
        string handler = node.Arguments[0].ToLowerInvariant();
        if (!Handlers.Contains(handler))
        {
            context.Error(node, $"handler '{node.Arguments[0]}' is not one WsgiHost has",
                handler is "wsgi-script" ? "map WSGI scripts with WSGIScriptAlias" : "server-status (mod_status), wsgihost-health (load balancer checks), wsgihost-metrics (Prometheus) or None");
            return;
        }
        context.PerDir.Value = context.PerDir.Value with { Handler = handler };
    }

    /// <summary>
    /// Core's FileETag: INode, MTime, Size, All or None, or +Part/-Part to change the inherited set
    /// (not both kinds on one line, as Apache). Digest (a hash of the content) is not computed.
    /// </summary>
    private static void FileETag(ConfigNode node, BuildContext context)
    {
        FileETagParts? parts = null;
        FileETagParts add = FileETagParts.None, remove = FileETagParts.None;
        bool relative = node.Arguments.Any(a => a.StartsWith('+') || a.StartsWith('-'));
        foreach (string argument in node.Arguments)
        {
            char sign = argument[0] is '+' or '-' ? argument[0] : ' ';
            string word = sign == ' ' ? argument : argument[1..];
            FileETagParts? part = word.ToLowerInvariant() switch
            {
                "inode" => FileETagParts.INode,
                "mtime" => FileETagParts.MTime,
                "size" => FileETagParts.Size,
                "all" => FileETagParts.All,
                "none" => FileETagParts.None,
                _ => null,
            };
            if (part == null || (relative && sign == ' ') || (word.Equals("None", StringComparison.OrdinalIgnoreCase) && (sign != ' ' || node.Arguments.Count > 1)))
            {
                context.Error(node, word.Equals("Digest", StringComparison.OrdinalIgnoreCase)
                        ? "Digest (a hash of each file's content) is not computed by WsgiHost"
                        : $"'{argument}': expected INode, MTime, Size, All or None, or all of them with + or - (None alone)",
                    "FileETag MTime Size (Apache's default), FileETag None, or FileETag -INode");
                return;
            }
            if (sign == '+')
            {
                add |= part.Value;
            }
            else if (sign == '-')
            {
                remove |= part.Value;
            }
            else
            {
                parts = (parts ?? FileETagParts.None) | part.Value;
            }
        }
        context.PerDir.Value = context.PerDir.Value with { FileETag = new FileETagRule(parts, add, remove) };
    }

    /// <summary>
    /// mod_dir's DirectoryIndex: names tried in order in a folder; lines in one scope add to its
    /// list and a deeper scope's list replaces the inherited one (Apache 2.4); <c>disabled</c>
    /// alone turns the index off. A URL path (<c>/app/</c>) would be an internal redirect, which
    /// WsgiHost does not make: a warning, and the entry is left out.
    /// </summary>
    private static void DirectoryIndex(ConfigNode node, BuildContext context)
    {
        if (node.Arguments.Any(a => a.Equals("disabled", StringComparison.OrdinalIgnoreCase)))
        {
            if (node.Arguments.Count > 1)
            {
                context.Error(node, "'disabled' must be the only argument", "write 'DirectoryIndex disabled' on a line of its own");
                return;
            }
            context.PerDir.Value = context.PerDir.Value with { DirectoryIndex = [] };
            return;
        }
        var names = new List<string>();
        foreach (string name in node.Arguments)
        {
            if (name.Contains('/'))
            {
                context.Warning(node, $"'{name}': an index that is a URL path (an internal redirect) is not served by WsgiHost; it is left out",
                    "name index files in the folder (DirectoryIndex index.html index.htm), or map the folder's URL to the app with WSGIScriptAlias");
                continue;
            }
            names.Add(name);
        }
        context.PerDir.Value = context.PerDir.Value with { DirectoryIndex = [.. context.PerDir.Value.DirectoryIndex ?? [], .. names] };
    }
}
