namespace WsgiHost.Routing;

/// <summary>
/// Maps a normalized path to what serves it. Aliases (static files) are tried before every
/// WSGI mount, whatever their order, as Apache's mod_alias does; WSGI mounts are tried in
/// order and the first match wins. Prefixes match whole segments and are case-sensitive.
/// An immutable snapshot: build a new one to change it.
/// </summary>
public sealed class MountTable<TTarget>
    where TTarget : class
{
    private readonly (string Prefix, TTarget Target)[] _aliases;
    private readonly (string Prefix, TTarget Target)[] _mounts;

    public MountTable(IEnumerable<(string Prefix, TTarget Target)> aliases, IEnumerable<(string Prefix, TTarget Target)> mounts)
    {
        _aliases = [.. aliases.Select(a => (NormalizePrefix(a.Prefix), a.Target))];
        _mounts = [.. mounts.Select(m => (NormalizePrefix(m.Prefix), m.Target))];
    }

    /// <summary>The target and the split of the path into SCRIPT_NAME and PATH_INFO, or null.</summary>
    public MountMatch<TTarget>? Match(string path)
    {
        foreach (var (prefix, target) in _aliases)
        {
            if (Matches(prefix, path))
            {
                return Split(prefix, target, path);
            }
        }
        foreach (var (prefix, target) in _mounts)
        {
            if (Matches(prefix, path))
            {
                return Split(prefix, target, path);
            }
        }
        return null;
    }

    internal static string NormalizePrefix(string prefix)
    {
        if (prefix.Length == 0)
        {
            return "/";
        }
        string p = prefix.StartsWith('/') ? prefix : "/" + prefix;
        while (p.Length > 1 && p.EndsWith('/'))
        {
            p = p[..^1];
        }
        return p;
    }

    internal static bool Matches(string prefix, string path)
    {
        if (prefix == "/")
        {
            return true;
        }
        return path.StartsWith(prefix, StringComparison.Ordinal) && (path.Length == prefix.Length || path[prefix.Length] == '/');
    }

    private static MountMatch<TTarget> Split(string prefix, TTarget target, string path) =>
        prefix == "/" ? new(target, "", path) : new(target, prefix, path[prefix.Length..]);
}

/// <summary>A mapped request: SCRIPT_NAME is the mount point ("" at the root), PATH_INFO the rest.</summary>
public sealed record MountMatch<TTarget>(TTarget Target, string ScriptName, string PathInfo);
