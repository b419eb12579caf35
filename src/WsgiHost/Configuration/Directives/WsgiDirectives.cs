using WsgiHost.Configuration.Model;
using WsgiHost.Configuration.Syntax;
using WsgiHost.Routing;

namespace WsgiHost.Configuration.Directives;

/// <summary>mod_wsgi's directives, with mod_wsgi's contexts and defaults (modwsgi-catalog §2).</summary>
internal static class WsgiDirectives
{
    private const DirectiveScope SV = DirectiveScope.ServerAndVirtualHost;
    private static readonly string[] AliasOptions = ["process-group", "application-group", "callable-object", "pass-authorization"];
    private static readonly string[] ImportOptions = ["process-group", "application-group"];

    public static IEnumerable<DirectiveSpec> All() =>
    [
        new("WSGIScriptAlias", SV, 2, 6, "URL-path file-or-directory [process-group=N] [application-group=N] [callable-object=N] [pass-authorization=On|Off]", ScriptAlias),
        new("WSGIScriptAliasMatch", SV, 2, 6, "regex file-path [options]", ScriptAlias),
        DaemonProcessDirective.Spec,
        new("WSGIProcessGroup", DirectiveScope.Anywhere, 1, 1, "name|%{GLOBAL}|%{ENV:VAR}|%{RESOURCE}|%{SERVER}|%{HOST}", ProcessGroup),
        new("WSGIApplicationGroup", DirectiveScope.Anywhere, 1, 1, "name|%{GLOBAL}|%{RESOURCE}|%{SERVER}|%{HOST}|%{ENV:VAR}",
            (n, c) => { if (ValidLabel(n, n.Arguments[0], c)) { c.PerDir.Value = c.PerDir.Value with { ApplicationGroup = n.Arguments[0] }; } }),
        new("WSGICallableObject", DirectiveScope.Anywhere, 1, 1, "name|%{ENV:VAR}", CallableObject),
        new("WSGIPassAuthorization", DirectiveScope.Anywhere, 1, 1, "On|Off", (n, c) => c.PerDir.Value = c.PerDir.Value with { PassAuthorization = c.Flag(n, n.Arguments[0]) }),
        new("WSGIChunkedRequest", DirectiveScope.Anywhere, 1, 1, "On|Off", (n, c) => c.PerDir.Value = c.PerDir.Value with { ChunkedRequest = c.Flag(n, n.Arguments[0]) }),
        new("WSGIErrorOverride", DirectiveScope.Anywhere, 1, 1, "On|Off", (n, c) => c.PerDir.Value = c.PerDir.Value with { ErrorOverride = c.Flag(n, n.Arguments[0]) }),
        new("WSGIScriptReloading", DirectiveScope.Anywhere, 1, 1, "On|Off", (n, c) => c.PerDir.Value = c.PerDir.Value with { ScriptReloading = c.Flag(n, n.Arguments[0]) }),
        new("WSGIMapHEADToGET", DirectiveScope.Anywhere, 1, 1, "On|Off|Auto", MapHeadToGet),
        new("WSGIRestrictProcess", DirectiveScope.Anywhere, 1, -1, "group ...", RestrictProcess),
        new("WSGIRestrictEmbedded", DirectiveScope.Server, 1, 1, "On|Off", (n, c) => c.Site.RestrictEmbedded = c.Flag(n, n.Arguments[0]) ?? false),
        new("WSGIImportScript", SV, 3, 3, "file process-group=N application-group=N", ImportScript),
        new("WSGITrustedProxyHeaders", DirectiveScope.Anywhere, 1, -1, "header-name ...", TrustedProxyHeaders),
        new("WSGITrustedProxies", DirectiveScope.Anywhere, 1, -1, "ip-address[/cidr] ...", TrustedProxies),
        // WsgiHost's own (mod_wsgi has no PEP 684 mode): sub-interpreters with a GIL each.
        new("WSGISubInterpreterGIL", DirectiveScope.Server, 1, 1, "Shared|Own", SubInterpreterGil),
        // WsgiHost's own: an application in several own-GIL interpreters of one process.
        new("WSGIApplicationInterpreters", DirectiveScope.Server, 1, 1, "N", ApplicationInterpreters),
        new("WSGIPythonHome", DirectiveScope.Server, 1, 1, "prefix", PythonHome),
        new("WSGIPythonOptimize", DirectiveScope.Server, 1, 1, "0|1|2", (n, c) => c.Site.PythonOptimize = (int)(c.Number(n, "WSGIPythonOptimize", n.Arguments[0], 0, 2) ?? 0)),
        new("WSGIPythonPath", DirectiveScope.Server, 1, -1, "dir[:dir ...]", PythonPath),
    ];

    private static void SubInterpreterGil(ConfigNode node, BuildContext context)
    {
        string value = node.Arguments[0];
        if (value.Equals("own", StringComparison.OrdinalIgnoreCase) || value.Equals("shared", StringComparison.OrdinalIgnoreCase))
        {
            context.Site.OwnGil = value.Equals("own", StringComparison.OrdinalIgnoreCase);
            return;
        }
        context.Error(node, $"must be Shared or Own, got '{value}'",
            "WSGISubInterpreterGIL Own gives each application group (sub-interpreter) a GIL of its own on Python 3.12+; Shared (the default) is mod_wsgi's behaviour");
    }

    /// <summary>The most interpreters one application may run in (each holds its own copy of the app's modules).</summary>
    internal const int MaxApplicationInterpreters = 64;

    private static void ApplicationInterpreters(ConfigNode node, BuildContext context)
    {
        if (int.TryParse(node.Arguments[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) && n is >= 1 and <= MaxApplicationInterpreters)
        {
            context.Site.ApplicationInterpreters = n;
            context.Site.ApplicationInterpretersLocation = node.Location;
            return;
        }
        context.Error(node, $"must be a whole number from 1 to {MaxApplicationInterpreters}, got '{node.Arguments[0]}'",
            "WSGIApplicationInterpreters 2 runs each application in two interpreters of this process, each with its own GIL (Python 3.13+): about as many as the cores that should run its Python");
    }

    private static void ScriptAlias(ConfigNode node, BuildContext context)
    {
        bool regex = node.Name.Equals("WSGIScriptAliasMatch", StringComparison.OrdinalIgnoreCase);
        string url = node.Arguments[0];
        if (regex)
        {
            if (!CoreDirectives.IsValidRegex(node, url, context))
            {
                return;
            }
        }
        else if (!url.StartsWith('/'))
        {
            context.Error(node, $"the URL path '{url}' must start with '/'", $"WSGIScriptAlias /{url.TrimStart('/')} {node.Arguments[1]}");
            return;
        }
        var options = OptionList.Parse(node, 2, AliasOptions, context);
        bool? passAuth = null;
        if (options.TryGetValue("pass-authorization", out string? pa))
        {
            passAuth = pa.Equals("on", StringComparison.OrdinalIgnoreCase) ? true : pa.Equals("off", StringComparison.OrdinalIgnoreCase) ? false : null;
            if (passAuth == null)
            {
                context.Error(node, $"pass-authorization= must be On or Off, got '{pa}'", "pass-authorization=On  or  pass-authorization=Off");
            }
        }
        if (options.TryGetValue("callable-object", out string? callable) && !ValidCallable(node, callable, context))
        {
            return;
        }
        foreach (string label in new[] { "process-group", "application-group" })
        {
            if (options.TryGetValue(label, out string? v) && !ValidLabel(node, v, context))
            {
                return;
            }
        }
        string rawTarget = node.Arguments[1];
        bool templated = regex && rawTarget.Contains('$');
        string target = templated ? rawTarget : context.ResolvePath(rawTarget);
        string pathAfterScript = "";
        if (!templated && !File.Exists(target) && !Directory.Exists(target) && ScriptAbove(target) is { } script)
        {
            pathAfterScript = target[script.Length..];
            target = script;
        }
        else if (!templated && !File.Exists(target) && !Directory.Exists(target))
        {
            context.Warning(node, $"'{target}' does not exist; requests for {url} will get 404 until it does", "check the path");
        }
        if (!regex && url.EndsWith('/') != rawTarget.EndsWith('/') && url != "/")
        {
            // mod_wsgi issue #603: a slash on one side only breaks URLs below the mount.
            context.Warning(node, $"'{url}' and '{rawTarget}' disagree on a trailing slash, which breaks URLs below the mount in Apache",
                $"write both with or both without the trailing slash");
        }
        var aliasOptions = new ScriptAliasOptions(options.GetValueOrDefault("process-group"), options.GetValueOrDefault("application-group"),
            options.GetValueOrDefault("callable-object"), passAuth);
        context.Scope.ScriptAliases.Add(new ScriptAliasConfig(url, regex, target, aliasOptions, node.Location) { PathAfterScript = pathAfterScript });
        if (aliasOptions.ProcessGroup is string pg && GroupLabels.IsStatic(pg) && pg != GroupLabels.Global)
        {
            context.Site.GroupReferences.Add(new GroupReference(pg, context.Scope, node));
        }
        // mod_wsgi preloads a script whose alias names both groups statically (catalog §4.3).
        if (aliasOptions.ProcessGroup is string p && aliasOptions.ApplicationGroup is string a && GroupLabels.IsStatic(p) && GroupLabels.IsStatic(a) && !templated)
        {
            context.Site.ImportScripts.Add(new ImportScriptConfig(target, Static(p), Static(a), node.Location));
        }
    }

    /// <summary>
    /// The file a target that does not exist names a path below (<c>/srv/app.wsgi/accounts</c>:
    /// <c>/srv/app.wsgi</c>), as Apache's directory walk finds it; null when no part of it is a file.
    /// </summary>
    private static string? ScriptAbove(string target)
    {
        for (int slash = target.LastIndexOf('/'); slash > 0; slash = target.LastIndexOf('/', slash - 1))
        {
            string above = target[..slash];
            if (File.Exists(above))
            {
                return above;
            }
            if (Directory.Exists(above))
            {
                return null;
            }
        }
        return null;
    }

    private static string Static(string label) => label == GroupLabels.Global ? "" : label;

    private static void ProcessGroup(ConfigNode node, BuildContext context)
    {
        string value = node.Arguments[0];
        if (!ValidLabel(node, value, context))
        {
            return;
        }
        context.PerDir.Value = context.PerDir.Value with { ProcessGroup = value };
        if (GroupLabels.IsStatic(value) && value != GroupLabels.Global)
        {
            context.Site.GroupReferences.Add(new GroupReference(value, context.Scope, node));
        }
    }

    /// <summary>A %{...} label must be one mod_wsgi knows; anything else is a literal name.</summary>
    private static bool ValidLabel(ConfigNode node, string value, BuildContext context)
    {
        if (!value.StartsWith("%{", StringComparison.Ordinal))
        {
            return true;
        }
        bool known = value is GroupLabels.Global or GroupLabels.Resource or GroupLabels.Server or GroupLabels.Host
            || (value.StartsWith("%{ENV:", StringComparison.Ordinal) && value.EndsWith('}') && value.Length > 7);
        if (!known)
        {
            context.Error(node, $"unknown label '{value}'", "use %{GLOBAL}, %{RESOURCE}, %{SERVER}, %{HOST} or %{ENV:VAR}");
        }
        return known;
    }

    private static void CallableObject(ConfigNode node, BuildContext context)
    {
        string value = node.Arguments[0];
        if (ValidCallable(node, value, context))
        {
            context.PerDir.Value = context.PerDir.Value with { CallableObject = value };
        }
    }

    /// <summary>WSGICallableObject and callable-object=: a module-level name of the script, or %{ENV:VAR}.</summary>
    private static bool ValidCallable(ConfigNode node, string value, BuildContext context)
    {
        if (!value.StartsWith("%{ENV:", StringComparison.Ordinal) && (value.Contains('.') || !IsIdentifier(value)))
        {
            context.Error(node, $"'{value}' is not a Python identifier; the callable must be a module-level name of the script",
                "for app.server, add 'application = app.server' to the script and name 'application'");
            return false;
        }
        return true;
    }

    private static bool IsIdentifier(string s) =>
        s.Length > 0 && (char.IsLetter(s[0]) || s[0] == '_') && s.All(c => char.IsLetterOrDigit(c) || c == '_');

    private static void MapHeadToGet(ConfigNode node, BuildContext context)
    {
        MapHeadToGet? value = node.Arguments[0].ToLowerInvariant() switch
        {
            "on" => Model.MapHeadToGet.On,
            "off" => Model.MapHeadToGet.Off,
            "auto" => Model.MapHeadToGet.Auto,
            _ => null,
        };
        if (value == null)
        {
            context.Error(node, $"must be On, Off or Auto, got '{node.Arguments[0]}'", null);
            return;
        }
        context.PerDir.Value = context.PerDir.Value with { MapHeadToGet = value };
    }

    private static void RestrictProcess(ConfigNode node, BuildContext context) =>
        context.PerDir.Value = context.PerDir.Value with { RestrictProcess = [.. node.Arguments.Select(Static)] };

    private static void ImportScript(ConfigNode node, BuildContext context)
    {
        var options = OptionList.Parse(node, 1, ImportOptions, context);
        if (!options.TryGetValue("process-group", out string? pg) || !options.TryGetValue("application-group", out string? ag))
        {
            context.Error(node, "both process-group= and application-group= are required", $"WSGIImportScript {node.Arguments[0]} process-group=%{{GLOBAL}} application-group=%{{GLOBAL}}");
            return;
        }
        if (!GroupLabels.IsStatic(pg) || !GroupLabels.IsStatic(ag))
        {
            context.Error(node, "the groups of an imported script must be names or %{GLOBAL}, not labels resolved per request", null);
            return;
        }
        string path = context.ResolvePath(node.Arguments[0]);
        if (!File.Exists(path))
        {
            context.Error(node, $"script '{path}' does not exist", "check the path");
            return;
        }
        if (pg != GroupLabels.Global)
        {
            context.Site.GroupReferences.Add(new GroupReference(pg, context.Scope, node));
        }
        context.Site.ImportScripts.Add(new ImportScriptConfig(path, Static(pg), Static(ag), node.Location));
    }

    private static void TrustedProxyHeaders(ConfigNode node, BuildContext context)
    {
        var names = new List<string>(context.PerDir.Value.TrustedProxyHeaders ?? []);
        foreach (string name in node.Arguments)
        {
            if (!Proxy.ProxyHeaderNames.Categories.ContainsKey(name))
            {
                string? suggestion = DidYouMean.Suggest(name, Proxy.ProxyHeaderNames.Categories.Keys);
                context.Error(node, $"'{name}' is not a header mod_wsgi can trust",
                    suggestion != null ? $"did you mean {suggestion}?" : $"one of {string.Join(", ", Proxy.ProxyHeaderNames.Categories.Keys)}");
                continue;
            }
            names.Add(Proxy.ProxyHeaderNames.Categories.Keys.First(k => k.Equals(name, StringComparison.OrdinalIgnoreCase)));
        }
        context.PerDir.Value = context.PerDir.Value with { TrustedProxyHeaders = names };
    }

    private static void TrustedProxies(ConfigNode node, BuildContext context)
    {
        var networks = new List<string>(context.PerDir.Value.TrustedProxies ?? []);
        foreach (string value in node.Arguments)
        {
            if (Access.IpNetwork.TryParse(value, out _, out string? problem) != Access.IpNetwork.ParseOutcome.Parsed)
            {
                context.Error(node, $"'{value}' is not an IP address or network{(problem != null ? $": {problem}" : "")}", "for example 10.0.0.1 or 10.0.0.0/8");
                continue;
            }
            networks.Add(value);
        }
        context.PerDir.Value = context.PerDir.Value with { TrustedProxies = networks };
    }

    private static void PythonHome(ConfigNode node, BuildContext context)
    {
        string path = context.ResolvePath(node.Arguments[0]);
        if (!Directory.Exists(path))
        {
            context.Error(node, $"'{path}' is not a folder", "give the Python prefix or virtualenv folder (sys.prefix)");
            return;
        }
        context.Site.PythonHome = path;
        context.Site.PythonHomeLocation = node.Location;
    }

    private static void PythonPath(ConfigNode node, BuildContext context)
    {
        foreach (string dir in node.Arguments.SelectMany(a => a.Split(':', StringSplitOptions.RemoveEmptyEntries)))
        {
            context.Site.PythonPath.Add(context.ResolvePath(dir));
        }
    }
}
