using System.Globalization;
using System.Runtime.InteropServices;

namespace WsgiHost.Daemon;

/// <summary>
/// user= and group= of WSGIDaemonProcess: a worker started as root switches to them before
/// Python starts (mod_wsgi's order: groups, then gid, then uid; a failure ends the worker,
/// never leaving it root). Names are looked up in /etc/passwd and /etc/group; "#N" is a number.
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
    public static void Switch(uint uid, uint gid)
    {
        if (geteuid() == uid && getegid() == gid && uid != 0)
        {
            return;
        }
        // Before it: /proc/self/pagemap is root's once the process is another user.
        Server.MappedFilePages.KeepPageMapOpen();
        if (setgroups(1, [gid]) != 0 || setgid(gid) != 0 || setuid(uid) != 0)
        {
            throw new InvalidOperationException($"cannot switch to uid {uid} gid {gid} (errno {Marshal.GetLastPInvokeError()})");
        }
        if (uid != 0 && geteuid() == 0)
        {
            throw new InvalidOperationException("still root after setuid");
        }
    }

    private static (uint Uid, uint Gid, string Home) LookupUser(string user)
    {
        foreach (string line in File.ReadLines("/etc/passwd"))
        {
            string[] f = line.Split(':');
            if (f.Length >= 7 && (f[0] == user || (user.StartsWith('#') && f[2] == user[1..])))
            {
                return (uint.Parse(f[2], CultureInfo.InvariantCulture), uint.Parse(f[3], CultureInfo.InvariantCulture), f[5]);
            }
        }
        if (user.StartsWith('#') && uint.TryParse(user[1..], NumberStyles.None, CultureInfo.InvariantCulture, out uint id))
        {
            return (id, id, "/");
        }
        throw new InvalidOperationException($"no user '{user}' in /etc/passwd");
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
