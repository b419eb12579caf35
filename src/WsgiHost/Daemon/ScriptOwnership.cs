using System.Globalization;
using WsgiHost.Configuration.Model;
using WsgiHost.Python.Interop;

namespace WsgiHost.Daemon;

/// <summary>
/// script-user= and script-group= of WSGIDaemonProcess: a group that names one runs only
/// scripts that user (or group) owns, in a folder it owns, that no one else may change; any
/// other request for it is 403, as mod_wsgi checks before it passes a request to the daemon
/// (wsgi_execute_remote). It is how a shared host keeps one user's daemon from running
/// another's scripts.
/// </summary>
internal static class ScriptOwnership
{
    /// <summary>Why <paramref name="group"/> may not run <paramref name="scriptPath"/> (mod_wsgi's reason, for the error log), or null when it may.</summary>
    public static string? Refusal(DaemonGroupConfig group, string scriptPath)
    {
        bool byUser = group.Options.TryGetValue("script-user", out string? user);
        if (!byUser && !group.Options.TryGetValue("script-group", out _))
        {
            return null;
        }
        string required = byUser ? user! : group.Options["script-group"];
        uint id;
        try
        {
            id = byUser ? DaemonIdentity.UidOf(required) : DaemonIdentity.GidOf(required);
        }
        catch (InvalidOperationException e)
        {
            return $"{(byUser ? "script-user" : "script-group")}={required} of daemon process '{group.Name}': {e.Message}";
        }
        string folder = Path.GetDirectoryName(scriptPath) ?? "/";
        return Check("WSGI script file", scriptPath, byUser, required, id)
            ?? Check("parent directory of WSGI script file", folder, byUser, required, id);
    }

    private static string? Check(string what, string path, bool byUser, string required, uint id)
    {
        if (FileOwner.Of(path) is not var (uid, gid, mode))
        {
            return $"Unable to stat {what}: {path}";
        }
        uint owner = byUser ? uid : gid;
        if (owner != id)
        {
            return $"{(byUser ? "Owner" : "Group")} of {what} does not match required {(byUser ? "user" : "group")} for daemon process, " +
                $"{(byUser ? "user" : "group")}={required} ({(byUser ? "uid" : "gid")} {owner.ToString(CultureInfo.InvariantCulture)} owns it): {path}";
        }
        if ((mode & UnixFileMode.OtherWrite) != 0)
        {
            return $"{Capitalized(what)} is writable to world: {path}";
        }
        // script-user: not by the group either, as mod_wsgi checks; script-group lets its group write.
        if (byUser && (mode & UnixFileMode.GroupWrite) != 0)
        {
            return $"{Capitalized(what)} is writable to group: {path}";
        }
        return null;
    }

    private static string Capitalized(string text) => char.ToUpperInvariant(text[0]) + text[1..];
}
