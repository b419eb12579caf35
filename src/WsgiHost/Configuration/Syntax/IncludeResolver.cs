namespace WsgiHost.Configuration.Syntax;

/// <summary>A reason an Include path gave no file.</summary>
internal sealed record IncludeProblem(string Message, string? Fix);

/// <summary>The files an Include names, in the order they are read, and what went wrong.</summary>
internal sealed record IncludeResolution(IReadOnlyList<string> Files, IReadOnlyList<IncludeProblem> Problems);

/// <summary>
/// Turns an absolute Include path into files as Apache 2.4 does (<c>ap_process_fnmatch_configs</c>): wildcards
/// may be in any segment, a wildcard segment before the last matches folders only, matches are read in
/// ordinal (strcmp) order, and a folder stands for every file in it and in its subfolders, sorted the same way.
/// For <c>Include</c> a missing path or a wildcard that matches nothing is a problem; <c>IncludeOptional</c>
/// skips both silently.
/// </summary>
internal static class IncludeResolver
{
    /// <summary>Apache's AP_MAX_INCLUDE_DIR_DEPTH: guards against folder symlink loops.</summary>
    private const int MaxFolderDepth = 128;

    private const string OptionalFix = "use IncludeOptional if it may be absent";

    public static IncludeResolution Resolve(string fullPath, bool optional)
    {
        var files = new List<string>();
        var problems = new List<IncludeProblem>();
        if (!WildcardPattern.HasWildcards(fullPath))
        {
            AddPath(fullPath, optional, files, problems);
        }
        else
        {
            var root = Path.GetPathRoot(fullPath) ?? "";
            var segments = fullPath[root.Length..]
                .Split(['/', Path.DirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
            Walk(root, segments, 0, optional, files, problems);
        }

        return new IncludeResolution(files, problems);
    }

    private static void Walk(string folder, string[] segments, int index, bool optional, List<string> files, List<IncludeProblem> problems)
    {
        if (index == segments.Length)
        {
            AddPath(folder, optional, files, problems);
            return;
        }

        var segment = segments[index];
        var last = index == segments.Length - 1;
        if (!WildcardPattern.HasWildcards(segment))
        {
            Walk(Path.Combine(folder, segment), segments, index + 1, optional, files, problems);
            return;
        }

        if (!Directory.Exists(folder))
        {
            if (!optional)
            {
                problems.Add(new IncludeProblem($"could not open config directory {folder}: no such directory", OptionalFix));
            }

            return;
        }

        List<string> matches;
        try
        {
            matches = Directory.EnumerateFileSystemEntries(folder)
                .Where(entry => WildcardPattern.IsMatch(segment, Path.GetFileName(entry)))
                .Where(entry => last || Directory.Exists(entry))
                .Order(StringComparer.Ordinal)
                .ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add(new IncludeProblem($"could not open config directory {folder}: {e.Message}", null));
            return;
        }

        if (matches.Count == 0)
        {
            if (!optional)
            {
                problems.Add(new IncludeProblem($"no matches for the wildcard '{segment}' in '{folder}'", OptionalFix));
            }

            return;
        }

        foreach (var match in matches)
        {
            Walk(match, segments, index + 1, optional, files, problems);
        }
    }

    private static void AddPath(string path, bool optional, List<string> files, List<IncludeProblem> problems)
    {
        if (Directory.Exists(path))
        {
            AddFolder(path, 0, files, problems);
        }
        else if (File.Exists(path))
        {
            files.Add(path);
        }
        else if (!optional)
        {
            problems.Add(new IncludeProblem($"could not open configuration file {path}: no such file or directory", OptionalFix));
        }
    }

    private static void AddFolder(string folder, int depth, List<string> files, List<IncludeProblem> problems)
    {
        if (depth >= MaxFolderDepth)
        {
            problems.Add(new IncludeProblem(
                $"directory {folder} exceeds the maximum include directory nesting level of {MaxFolderDepth}",
                "look for a symbolic link that points back to a parent folder"));
            return;
        }

        List<string> entries;
        try
        {
            entries = Directory.EnumerateFileSystemEntries(folder).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add(new IncludeProblem($"could not open config directory {folder}: {e.Message}", null));
            return;
        }

        foreach (var entry in entries)
        {
            if (Directory.Exists(entry))
            {
                AddFolder(entry, depth + 1, files, problems);
            }
            else
            {
                files.Add(entry);
            }
        }
    }
}
