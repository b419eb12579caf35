using System.Globalization;
using WsgiHost.Configuration.Model;
using WsgiHost.Python.Interop;

namespace WsgiHost.Daemon;

/// <summary>
/// script-user= and script-group= of WSGIDaemonProcess: a group that names one runs only
/// scripts that user (or group) owns, in a folder it owns, that no one else may change; any
/// other request for it is 403, as mod_wsgi checks before it passes a request to the daemon
/// (wsgi_execute_remote). It is how a shared host keeps one user's daemon from running
/// another's scripts. The user or group is looked up once, when the group starts; each
/// request stats its script and the script's folder.
/// </summary>
internal sealed class ScriptOwnership
{
    private readonly bool _byUser;
    private readonly string _required;
    private readonly uint _id;
    private readonly string? _unknown;

    private ScriptOwnership(bool byUser, string required, uint id, string? unknown)
    {
        _byUser = byUser;
        _required = required;
        _id = id;
        _unknown = unknown;
    }

    /// <summary>The check <paramref name="group"/> asks for, or null when it names neither option.</summary>
    public static ScriptOwnership? For(DaemonGroupConfig group)
    {
        bool byUser = group.Options.TryGetValue("script-user", out string? user);
        if (!byUser && !group.Options.TryGetValue("script-group", out _))
        {
            return null;
        }
        string required = byUser ? user! : group.Options["script-group"];
        try
        {
            return new ScriptOwnership(byUser, required, byUser ? DaemonIdentity.UidOf(required) : DaemonIdentity.GidOf(required), null);
        }
        catch (InvalidOperationException e)
        {
            // Every request is refused, and says why.
            return new ScriptOwnership(byUser, required, 0, $"{(byUser ? "script-user" : "script-group")}={required} of daemon process '{group.Name}': {e.Message}");
        }
    }

    /// <summary>Why the group may not run <paramref name="scriptPath"/> (mod_wsgi's reason, for the error log), or null when it may.</summary>
    public string? Refusal(string scriptPath)
    {
        if (_unknown != null)
        {
            return _unknown;
        }
        string folder = Path.GetDirectoryName(scriptPath) ?? "/";
        return Check("WSGI script file", scriptPath) ?? Check("parent directory of WSGI script file", folder);
    }

    private string? Check(string what, string path)
    {
        if (FileOwner.Of(path) is not var (uid, gid, mode))
        {
            return $"Unable to stat {what}: {path}";
        }
        uint owner = _byUser ? uid : gid;
        if (owner != _id)
        {
            return $"{(_byUser ? "Owner" : "Group")} of {what} does not match required {(_byUser ? "user" : "group")} for daemon process, " +
                $"{(_byUser ? "user" : "group")}={_required} ({(_byUser ? "uid" : "gid")} {owner.ToString(CultureInfo.InvariantCulture)} owns it): {path}";
        }
        if ((mode & UnixFileMode.OtherWrite) != 0)
        {
            return $"{Capitalized(what)} is writable to world: {path}";
        }
        // script-user: not by the group either, as mod_wsgi checks; script-group lets its group write.
        if (_byUser && (mode & UnixFileMode.GroupWrite) != 0)
        {
            return $"{Capitalized(what)} is writable to group: {path}";
        }
        return null;
    }

    private static string Capitalized(string text) => char.ToUpperInvariant(text[0]) + text[1..];
}
