namespace WsgiHost.Access;

/// <summary>An AuthGroupFile (mod_authz_groupfile): <c>group: user user ...</c> lines; a group may span several lines.</summary>
internal static class GroupFile
{
    private static readonly ParsedFileCache<Dictionary<string, HashSet<string>>> Cache = new(Parse);

    /// <summary>The groups <paramref name="user"/> is in; empty when none. Null when the file cannot be read
    /// (the user is then in no group, and the log says why, as in Apache).</summary>
    public static IReadOnlySet<string>? GroupsOf(string path, string user)
    {
        try
        {
            return Cache.Get(path).TryGetValue(user, out var groups) ? groups : new HashSet<string>();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>User to groups, from group-to-users lines.</summary>
    private static Dictionary<string, HashSet<string>> Parse(IEnumerable<string> lines)
    {
        var byUser = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var line in ParsedFileCache<Dictionary<string, HashSet<string>>>.ContentLines(lines))
        {
            int colon = line.IndexOf(':');
            if (colon <= 0)
            {
                continue;
            }

            string group = line[..colon].Trim();
            foreach (var user in line[(colon + 1)..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            {
                if (!byUser.TryGetValue(user, out var groups))
                {
                    byUser[user] = groups = new HashSet<string>(StringComparer.Ordinal);
                }

                groups.Add(group);
            }
        }

        return byUser;
    }
}
