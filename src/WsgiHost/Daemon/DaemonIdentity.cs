using System.Globalization;
using System.Runtime.InteropServices;

namespace WsgiHost.Daemon;

/// <summary>
/// user= and group= of WSGIDaemonProcess: a worker started as root switches to them before
/// Python starts (mod_wsgi's order: groups, then gid, then uid; a failure ends the worker,
/// never leaving it root). Names are looked up in /etc/passwd and /etc/group; "#N" is a number.
/// The supplementary groups are the user's (initgroups(3), as mod_wsgi and Apache's User set
/// them: a site whose files a group the user is in may read stays readable), or those
/// supplementary-groups= names.
/// </summary>
internal static class DaemonIdentity
{
    public static bool IsRoot => OperatingSystem.IsLinux() && geteuid() == 0;

    /// <summary>
    /// The uid to switch to (the current one when no user is given), the gid (the group's, else
    /// the user's primary group, else the current one) and the user's home.
    /// </summary>
    public static (uint Uid, uint Gid, string? Home) Resolve(string? user, string? group)
    {
        (uint uid, uint gid, string? home) = user == null ? (geteuid(), getegid(), null) : LookupUser(user);
        if (group != null)
        {
            gid = LookupGroup(group);
        }
        return (uid, gid, home);
    }

    /// <summary>Whether this process already is user/group (as <see cref="Resolve"/> reads them).</summary>
    public static bool IsCurrent(string? user, string? group)
    {
        var (uid, gid, _) = Resolve(user, group);
        return uid == geteuid() && gid == getegid();
    }

    /// <summary>
    /// Switches this process to the identity; throws when any step fails. A process that already
    /// is it (a worker started by a server that became User itself) has nothing to switch, and
    /// could not: setgroups needs root.
    /// </summary>
    /// <param name="groups">The supplementary groups (<see cref="SupplementaryGroups(string?, uint, string?)"/>).</param>
    public static void Switch(uint uid, uint gid, uint[] groups)
    {
        if (geteuid() == uid && getegid() == gid && uid != 0)
        {
            return;
        }
        // Before it: /proc/self/pagemap is root's once the process is another user.
        Server.MappedFilePages.KeepPageMapOpen();
        if (setgroups((nuint)groups.Length, groups) != 0 || setgid(gid) != 0 || setuid(uid) != 0)
        {
            throw new InvalidOperationException($"cannot switch to uid {uid} gid {gid} (errno {Marshal.GetLastPInvokeError()})");
        }
        if (uid != 0 && geteuid() == 0)
        {
            throw new InvalidOperationException("still root after setuid");
        }
    }

    /// <summary>
    /// The supplementary groups of <paramref name="user"/> with primary group <paramref name="gid"/>,
    /// that first: the groups <paramref name="given"/> names (supplementary-groups=, comma-separated
    /// names or #N), else every group /etc/group lists the user in, as initgroups(3) finds them;
    /// only the primary group when no user is named.
    /// </summary>
    /// <exception cref="InvalidOperationException">A group given is not in /etc/group.</exception>
    public static uint[] SupplementaryGroups(string? user, uint gid, string? given) =>
        SupplementaryGroups(user, gid, given, File.ReadLines("/etc/group"));

    /// <summary><see cref="SupplementaryGroups(string?, uint, string?)"/> with /etc/group's lines given (tests).</summary>
    internal static uint[] SupplementaryGroups(string? user, uint gid, string? given, IEnumerable<string> groupFile)
    {
        var groups = new List<uint> { gid };
        if (given != null)
        {
            groups.AddRange(given.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(LookupGroup));
        }
        // A name is the name; "#N" is the name /etc/passwd gives uid N, if any.
        else if (user != null && (user.StartsWith('#') ? Passwd(user)?.Name : user) is { } name)
        {
            foreach (string line in groupFile)
            {
                string[] f = line.Split(':');
                if (f.Length >= 4 && f[3].Split(',').Contains(name) && uint.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out uint member))
                {
                    groups.Add(member);
                }
            }
        }
        return [.. groups.Distinct()];
    }

    /// <summary>The uid of a user name or "#N" (script-user=).</summary>
    /// <exception cref="InvalidOperationException">No such user.</exception>
    public static uint UidOf(string user) => LookupUser(user).Uid;

    /// <summary>The gid of a group name or "#N" (script-group=).</summary>
    /// <exception cref="InvalidOperationException">No such group.</exception>
    public static uint GidOf(string group) => LookupGroup(group);

    /// <summary>Whether a user (or group) name is known here; "#N" always is, as Apache takes a raw id.</summary>
    public static bool Exists(string name, bool user)
    {
        try
        {
            _ = user ? LookupUser(name).Uid : LookupGroup(name);
            return true;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static (uint Uid, uint Gid, string Home) LookupUser(string user)
    {
        if (Passwd(user) is var (_, uid, gid, home))
        {
            return (uid, gid, home);
        }
        if (user.StartsWith('#') && uint.TryParse(user[1..], NumberStyles.None, CultureInfo.InvariantCulture, out uint id))
        {
            return (id, id, "/");
        }
        throw new InvalidOperationException($"no user '{user}' in /etc/passwd");
    }

    /// <summary>The /etc/passwd entry of a user name or "#N", or null when it has none.</summary>
    private static (string Name, uint Uid, uint Gid, string Home)? Passwd(string user)
    {
        foreach (string line in File.ReadLines("/etc/passwd"))
        {
            string[] f = line.Split(':');
            if (f.Length >= 7 && (f[0] == user || (user.StartsWith('#') && f[2] == user[1..])))
            {
                return (f[0], uint.Parse(f[2], CultureInfo.InvariantCulture), uint.Parse(f[3], CultureInfo.InvariantCulture), f[5]);
            }
        }
        return null;
    }

    private static uint LookupGroup(string group)
    {
        if (group.StartsWith('#') && uint.TryParse(group[1..], NumberStyles.None, CultureInfo.InvariantCulture, out uint id))
        {
            return id;
        }
        foreach (string line in File.ReadLines("/etc/group"))
        {
            string[] f = line.Split(':');
            if (f.Length >= 3 && f[0] == group)
            {
                return uint.Parse(f[2], CultureInfo.InvariantCulture);
            }
        }
        throw new InvalidOperationException($"no group '{group}' in /etc/group");
    }

    /// <summary>Gives a file (a worker's socket, the sockets' folder) to the identity a process is about to switch to, so it can still reach it.</summary>
    public static void GiveTo(string path, uint uid, uint gid)
    {
        if (chown(path, uid, gid) != 0)
        {
            throw new IOException($"cannot give {path} to uid {uid} gid {gid} (errno {Marshal.GetLastPInvokeError()})");
        }
    }

    // DllImport, not LibraryImport: this project has no unsafe code (WsgiHost.Python alone does).
    [DllImport("libc", SetLastError = true)]
    private static extern int chown(string path, uint uid, uint gid);

    [DllImport("libc", SetLastError = true)]
    private static extern uint geteuid();

    [DllImport("libc", SetLastError = true)]
    private static extern uint getegid();

    [DllImport("libc", SetLastError = true)]
    private static extern int setuid(uint uid);

    [DllImport("libc", SetLastError = true)]
    private static extern int setgid(uint gid);

    [DllImport("libc", SetLastError = true)]
    private static extern int setgroups(nuint size, uint[] list);
}
