namespace WsgiHost.Access;

/// <summary>An htpasswd file (mod_authn_file's AuthUserFile): <c>user:hash</c> lines, the first line of a user counts.</summary>
internal static class PasswordFile
{
    private static readonly ParsedFileCache<Dictionary<string, string>> Cache = new(Parse);

    /// <summary>The hash stored for <paramref name="user"/>, null when the file has no such user.</summary>
    public static string? HashOf(string path, string user) => Cache.Get(path).GetValueOrDefault(user);

    private static Dictionary<string, string> Parse(IEnumerable<string> lines)
    {
        var users = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in ParsedFileCache<Dictionary<string, string>>.ContentLines(lines))
        {
            int colon = line.IndexOf(':');
            if (colon > 0)
            {
                users.TryAdd(line[..colon], line[(colon + 1)..]);
            }
        }

        return users;
    }
}
