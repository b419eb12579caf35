namespace WsgiHost.StaticFiles;

/// <summary>
/// .htaccess files where AllowOverride lets them apply. WsgiHost does not read them, so a
/// request whose path goes through a folder that has one is answered 500, as Apache answers a
/// .htaccess it cannot read: its rules (a Require all denied, most often) are never silently
/// skipped, and the error log and <c>wsgihost check</c> say to move them into the configuration.
/// </summary>
internal static class AccessFiles
{
    /// <summary>Apache's AccessFileName default.</summary>
    public const string DefaultName = ".htaccess";

    /// <summary>The first access file in <paramref name="root"/> or a folder below it on the way to <paramref name="path"/>, or null.</summary>
    public static string? Find(string root, string path, string name = DefaultName)
    {
        string folder = Directory.Exists(path) ? path : Path.GetDirectoryName(path) ?? root;
        if (!folder.StartsWith(root, StringComparison.Ordinal))
        {
            return null;
        }
        string current = root;
        while (true)
        {
            string candidate = Path.Join(current, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
            if (current.Length >= folder.Length)
            {
                return null;
            }
            int next = folder.IndexOf('/', current.Length + 1);
            current = next < 0 ? folder : folder[..next];
        }
    }

    /// <summary>The error log line for a request refused for <paramref name="accessFile"/>.</summary>
    public static string Refusal(string accessFile) =>
        $"{accessFile}: .htaccess files are not read by WsgiHost, so the request is refused rather than served past its rules: " +
        $"move its directives into <Directory {Path.GetDirectoryName(accessFile)}> in the configuration and set AllowOverride None there";

    /// <summary>
    /// `check`'s look: access files under <paramref name="folder"/> (at most <paramref name="limit"/>
    /// folders are read, so a huge tree does not stall it).
    /// </summary>
    public static IEnumerable<string> Under(string folder, string name = DefaultName, int limit = 5000)
    {
        var pending = new Stack<string>();
        pending.Push(folder);
        for (int seen = 0; pending.Count > 0 && seen < limit; seen++)
        {
            string current = pending.Pop();
            string candidate = Path.Join(current, name);
            if (File.Exists(candidate))
            {
                yield return candidate;
            }
            string[] children;
            try
            {
                children = Directory.GetDirectories(current);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            foreach (string child in children)
            {
                if ((File.GetAttributes(child) & FileAttributes.ReparsePoint) == 0)
                {
                    pending.Push(child);
                }
            }
        }
    }
}
