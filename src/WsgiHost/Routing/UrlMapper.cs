using System.Text.RegularExpressions;
using WsgiHost.Configuration.Model;

namespace WsgiHost.Routing;

/// <summary>What a URL maps to: a static file under an Alias, or a WSGI script.</summary>
/// <param name="FilePath">The static file (target + rest of the URL) or the script file.</param>
/// <param name="StaticPathInfo">For an Alias: the URL after the alias prefix, "" or starting with "/".</param>
/// <param name="ScriptName">For a script: SCRIPT_NAME, the URL minus PATH_INFO ("" at the root).</param>
internal sealed record MappedUrl(AliasConfig? Alias, ScriptAliasConfig? Script, string Target, string FilePath, string StaticPathInfo, string ScriptName, string PathInfo)
{
    public bool IsStatic => Alias != null;

    /// <summary>
    /// The script file was derived from the URL (a folder target or a Match pattern), so it may
    /// not exist and the set of such paths is unbounded: check before creating anything for it.
    /// </summary>
    public bool ScriptFromUrl { get; init; }
}

/// <summary>
/// A scope's URL mapping, as Apache and mod_wsgi do it: every Alias/AliasMatch is tried before
/// every WSGIScriptAlias/WSGIScriptAliasMatch, whatever the file order; within each kind the
/// first match in file order wins (a virtual host's own entries, then the main server's);
/// a URL neither maps is a file under the DocumentRoot, when there is one.
/// A script target that is a folder maps the next URL segments to a script file inside it.
/// Immutable; the file system is only asked about folder targets.
/// </summary>
internal sealed class UrlMapper
{
    private readonly Entry<AliasConfig>[] _aliases;
    private readonly Entry<ScriptAliasConfig>[] _scripts;
    private readonly Func<string, bool> _isFile;
    private readonly Func<string, bool> _isDirectory;

    private sealed record Entry<T>(T Config, string Pattern, Regex? Regex, string Target, bool TargetIsDirectory);

    /// <param name="documentRoot">The DocumentRoot served, as an Alias of "/" to it; null when none is.</param>
    public UrlMapper(IEnumerable<AliasConfig> aliases, IEnumerable<ScriptAliasConfig> scripts, Func<string, bool>? isFile = null, Func<string, bool>? isDirectory = null,
        AliasConfig? documentRoot = null)
    {
        DocumentRoot = documentRoot;
        _isFile = isFile ?? File.Exists;
        _isDirectory = isDirectory ?? Directory.Exists;
        _aliases = [.. aliases.Select(a => new Entry<AliasConfig>(a, a.UrlPattern, a.IsRegex ? Compile(a.UrlPattern) : null, a.Target, false))];
        _scripts = [.. scripts.Select(s => new Entry<ScriptAliasConfig>(s, s.UrlPattern, s.IsRegex ? Compile(s.UrlPattern) : null, s.Target,
            !s.Target.Contains('$') && _isDirectory(s.Target)))];
    }

    /// <summary>The DocumentRoot served, as an Alias of "/" to it; null when none is.</summary>
    public AliasConfig? DocumentRoot { get; }

    /// <summary>
    /// The mapping of a scope: a virtual host's own aliases before the main server's, and its
    /// DocumentRoot, or the main server's when it has none (Apache).
    /// </summary>
    public static UrlMapper ForScope(ServerScope scope, ServerScope main)
    {
        bool own = ReferenceEquals(scope, main);
        ServerScope rootOwner = scope.DocumentRoot != null ? scope : main;
        AliasConfig? root = rootOwner is { DocumentRoot: { } folder, ServesDocumentRoot: true } ? new AliasConfig("/", false, folder, rootOwner.Location) : null;
        return new UrlMapper(own ? scope.Aliases : [.. scope.Aliases, .. main.Aliases],
            own ? scope.ScriptAliases : [.. scope.ScriptAliases, .. main.ScriptAliases], documentRoot: root);
    }

    private static Regex Compile(string pattern) =>
        new(pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled, TimeSpan.FromSeconds(1));

    /// <summary>The mapping of a normalized, decoded path; null when nothing maps it.</summary>
    public MappedUrl? Map(string path)
    {
        foreach (var entry in _aliases)
        {
            if (entry.Regex != null)
            {
                Match m = entry.Regex.Match(path);
                if (m.Success)
                {
                    // AliasMatch: the substituted target is the whole file name (mod_alias).
                    string file = m.Result(entry.Target);
                    return new MappedUrl(entry.Config, null, file, file, "", "", "");
                }
                continue;
            }
            int length = AliasMatcher.Match(entry.Pattern, path);
            if (length >= 0)
            {
                string rest = path[length..];
                // The alias's own trailing slash belongs to the rest: "Alias /static/ d" maps
                // /static/ to d + "/" (the folder, with its index), not to d.
                string pathInfo = rest.StartsWith('/') || (rest.Length == 0 && !entry.Pattern.EndsWith('/')) ? rest : "/" + rest;
                return new MappedUrl(entry.Config, null, entry.Target, entry.Target.TrimEnd('/') + FileNames.FromUrl(pathInfo), pathInfo, "", "");
            }
        }
        foreach (var entry in _scripts)
        {
            string target;
            string rest;
            if (entry.Regex != null)
            {
                Match m = entry.Regex.Match(path);
                // mod_wsgi (wsgi_hook_intercept): the mount is the URL up to the end of the match,
                // wherever the match starts; an empty mount maps nothing.
                if (!m.Success || m.Index + m.Length == 0)
                {
                    continue;
                }
                // mod_wsgi appends what follows the match, so it becomes PATH_INFO.
                target = m.Result(entry.Target);
                rest = path[(m.Index + m.Length)..];
            }
            else
            {
                int length = AliasMatcher.Match(entry.Pattern, path);
                if (length < 0)
                {
                    continue;
                }
                target = entry.Target;
                // A "/" alias gives target + the whole URL (mod_wsgi), so PATH_INFO keeps its slash.
                rest = entry.Pattern == "/" ? path : path[length..];
            }
            return Script(entry, path, target, rest);
        }
        if (DocumentRoot is { } root)
        {
            // Apache's core handler: the URL's path under the DocumentRoot.
            return new MappedUrl(root, null, root.Target, root.Target.TrimEnd('/') + FileNames.FromUrl(path), path, "", "");
        }
        return null;
    }

    private MappedUrl? Script(Entry<ScriptAliasConfig> entry, string path, string target, string rest)
    {
        if (entry.Config.PathAfterScript is { Length: > 0 } after)
        {
            // Apache joins the target and the rest as strings, then stops at the file.
            rest = after.EndsWith('/') && rest.StartsWith('/') ? after + rest[1..] : after + rest;
        }
        if (rest.Length > 0 && !rest.StartsWith('/') && !target.EndsWith('/'))
        {
            // target + rest names no file (the trailing-slash mismatch of mod_wsgi issue #603).
            return new MappedUrl(null, entry.Config, target, target + rest, "", "", "") { ScriptFromUrl = true };
        }
        if (!entry.TargetIsDirectory && !(entry.Regex != null && _isDirectory(target)))
        {
            string pathInfo = rest.Length == 0 || rest.StartsWith('/') ? rest : "/" + rest;
            return new MappedUrl(null, entry.Config, target, target, "", ScriptNameOf(path, pathInfo), pathInfo) { ScriptFromUrl = entry.Regex != null };
        }
        // A folder: walk the following segments down to the first file, as Apache's directory walk.
        string current = target.TrimEnd('/');
        string remaining = rest.TrimStart('/');
        while (remaining.Length > 0)
        {
            int slash = remaining.IndexOf('/');
            string segment = slash < 0 ? remaining : remaining[..slash];
            remaining = slash < 0 ? "" : remaining[slash..];
            current = current + "/" + FileNames.FromUrl(segment);
            if (_isFile(current))
            {
                return new MappedUrl(null, entry.Config, target, current, "", ScriptNameOf(path, remaining), remaining) { ScriptFromUrl = true };
            }
            if (!_isDirectory(current))
            {
                break;
            }
            remaining = remaining.TrimStart('/');
        }
        // A folder URL or a missing file: no script to run.
        return new MappedUrl(null, entry.Config, target, current, "", path, "") { ScriptFromUrl = true };
    }

    /// <summary>
    /// SCRIPT_NAME: the URL up to where PATH_INFO starts in it, as Apache's
    /// <c>ap_find_path_info</c> finds it: the common tail is matched from the end (a run of
    /// slashes in the URL counts as one), then the cut moves on to the next segment boundary.
    /// PATH_INFO that is not the URL's tail (a target with a path after its script) still
    /// leaves the mount: <c>/accounts</c> with PATH_INFO <c>/accounts</c> has SCRIPT_NAME "".
    /// </summary>
    internal static string ScriptNameOf(string path, string pathInfo)
    {
        if (pathInfo.Length == 0)
        {
            return path;
        }
        int u = path.Length - 1;
        int p = pathInfo.Length - 1;
        while (u >= 0 && p >= 0 && path[u] == pathInfo[p])
        {
            if (pathInfo[p] == '/')
            {
                while (u > 0 && path[u - 1] == '/')
                {
                    u--;
                }
            }
            u--;
            p--;
        }
        // Stopped on a mismatch (or ran out of PATH_INFO) at u: the segment holding it stays in SCRIPT_NAME.
        int cut = Math.Max(u, 0);
        while (cut < path.Length && path[cut] != '/')
        {
            cut++;
        }
        return path[..cut];
    }
}
