namespace WsgiHost.Routing;

/// <summary>
/// mod_alias's prefix test (alias_matches in mod_alias.c, which mod_wsgi copies): runs of "/"
/// in the alias match runs of "/" in the URL, other characters compare exactly (case-sensitive),
/// and an alias that does not end in "/" must end at a "/" or at the end of the URL. So
/// <c>Alias /static</c> covers /static and /static/x but not /staticx, and <c>Alias /static/</c>
/// does not cover /static.
/// </summary>
internal static class AliasMatcher
{
    /// <summary>How many characters of <paramref name="path"/> the alias consumed, or -1.</summary>
    public static int Match(string alias, string path)
    {
        int a = 0, p = 0;
        while (a < alias.Length)
        {
            if (alias[a] == '/')
            {
                if (p >= path.Length || path[p] != '/')
                {
                    return -1;
                }
                while (a < alias.Length && alias[a] == '/')
                {
                    a++;
                }
                while (p < path.Length && path[p] == '/')
                {
                    p++;
                }
            }
            else
            {
                if (p >= path.Length || path[p] != alias[a])
                {
                    return -1;
                }
                a++;
                p++;
            }
        }
        if (alias[^1] != '/' && p < path.Length && path[p] != '/')
        {
            return -1;
        }
        return p;
    }
}
