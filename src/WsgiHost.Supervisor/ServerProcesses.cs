using System.Globalization;
using WsgiHost.Daemon;

namespace WsgiHost.Supervisor;

/// <summary>
/// `--server-processes N` of serve and run: the command line option, and how a server process
/// learns that it is one of N (an environment variable its supervisor sets, removed before
/// Python starts so the app and its subprocesses never see it).
/// </summary>
internal static class ServerProcesses
{
    public const string Option = "--server-processes";

    /// <summary>The most server processes a site may have.</summary>
    public const int MaxCount = 64;

    private const string Variable = "WSGIHOST_SERVER_PROCESS";

    private static readonly Lazy<(int Index, int Count)?> Current = new(ReadAndRemove);

    /// <summary>This process's place among the site's server processes, or null when it serves alone.</summary>
    public static (int Index, int Count)? Child => Current.Value;

    /// <summary>Removes `--server-processes N` from <paramref name="args"/>; the count, null when absent.</summary>
    /// <exception cref="UsageException">N is not a whole number from 1 to 64.</exception>
    public static int? Take(ref string[] args)
    {
        int at = Array.IndexOf(args, Option);
        if (at < 0)
        {
            return null;
        }
        if (at + 1 >= args.Length || !int.TryParse(args[at + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count is < 1 or > MaxCount)
        {
            throw new UsageException($"{Option} needs a whole number from 1 to {MaxCount}");
        }
        args = [.. args[..at], .. args[(at + 2)..]];
        return count;
    }

    /// <summary>
    /// Whether this server process is to replace a running one (SIGHUP to the supervisor): then
    /// an application that fails to load as it starts stops it from starting, and the running
    /// one keeps serving, instead of a working process being replaced by a failing one.
    /// </summary>
    public static bool IsReplacement => Current.Value is not null && _replacement;

    private static bool _replacement;

    /// <summary>The environment entry that makes a started process server process <paramref name="index"/> of <paramref name="count"/>.</summary>
    /// <param name="replacing">It is to replace a running server process (<see cref="IsReplacement"/>).</param>
    public static KeyValuePair<string, string> ChildVariable(int index, int count, bool replacing = false) =>
        new(Variable, string.Create(CultureInfo.InvariantCulture, $"{index}/{count}{(replacing ? "/replacing" : "")}"));

    private static (int, int)? ReadAndRemove()
    {
        string? value = Environment.GetEnvironmentVariable(Variable);
        if (value == null)
        {
            return null;
        }
        ProcessEnvironment.Unset(Variable);
        string[] parts = value.Split('/');
        if (parts.Length is 2 or 3 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out int index) && int.TryParse(parts[1], CultureInfo.InvariantCulture, out int count)
            && (parts.Length == 2 || parts[2] == "replacing"))
        {
            _replacement = parts.Length == 3;
            return (index, count);
        }
        throw new UsageException($"{Variable} is set by the server for its server processes; got '{value}'");
    }
}
