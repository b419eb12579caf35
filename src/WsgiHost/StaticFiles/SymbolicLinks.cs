using WsgiHost.Python.Interop;

namespace WsgiHost.StaticFiles;

/// <summary>Which symbolic links a served file's path may go through, from Options.</summary>
internal enum SymLinkRule
{
    /// <summary>FollowSymLinks (Apache's default): any.</summary>
    Follow,

    /// <summary>SymLinksIfOwnerMatch without FollowSymLinks: a link owned by the owner of what it points to.</summary>
    IfOwnerMatch,

    /// <summary>Neither: none.</summary>
    Never,
}

/// <summary>
/// Options -FollowSymLinks and SymLinksIfOwnerMatch for static files, as Apache's directory
/// walk applies them: every component of the file's path below the folder it is served from
/// is looked at (lstat), and a link that the options do not allow makes the request 403
/// ("Symbolic link not allowed or link target not accessible"). They exist to keep a link that
/// a site's user can make (to /etc/passwd, to another user's files) from serving its target.
/// Links above the served folder are the configuration's own choice and are not looked at.
/// </summary>
internal static class SymbolicLinks
{
    /// <summary>The first link on the way from <paramref name="root"/> down to <paramref name="path"/> that <paramref name="rule"/> does not allow, or null.</summary>
    public static string? Refused(string root, string path, SymLinkRule rule)
    {
        if (rule == SymLinkRule.Follow || !path.StartsWith(root, StringComparison.Ordinal))
        {
            return null;
        }
        int at = root.Length;
        while (at < path.Length)
        {
            int next = path.IndexOf('/', at + 1);
            string component = next < 0 ? path : path[..next];
            at = next < 0 ? path.Length : next;
            if (component.Length <= root.Length || !IsLink(component))
            {
                continue;
            }
            if (rule == SymLinkRule.Never || !OwnersMatch(component))
            {
                return component;
            }
        }
        return null;
    }

    private static bool IsLink(string path)
    {
        try
        {
            return (File.GetAttributes(path) & FileAttributes.ReparsePoint) != 0;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>SymLinksIfOwnerMatch: the link and what it points to have one owner (a missing target matches nothing).</summary>
    private static bool OwnersMatch(string link) =>
        FileOwner.Of(link, followLinks: false) is var (linkOwner, _, _) && FileOwner.Of(link) is var (targetOwner, _, _) && linkOwner == targetOwner;
}
