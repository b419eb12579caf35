namespace WsgiHost.Daemon;

/// <summary>
/// The <see cref="DaemonKeys"/> entries of one request frame, read in one pass over the environ
/// (the worker asked for each with its own scan: seven scans of about 30 entries per request).
/// Absent keys read as "".
/// </summary>
internal readonly record struct DaemonRouting(
    string Secret, string Script, string Callable, string ApplicationGroup, bool ScriptReloading, bool Head, string Client, bool BodyComplete, bool XSendFile = false)
{
    public static DaemonRouting Read(List<KeyValuePair<string, string>> environ)
    {
        string secret = "", script = "", callable = "", group = "", client = "";
        bool reloading = true, head = false, bodyComplete = false, xsendfile = false;
        foreach (var (key, value) in environ)
        {
            if (!key.StartsWith(DaemonKeys.Prefix, StringComparison.Ordinal))
            {
                continue;
            }
            switch (key)
            {
                case DaemonKeys.Secret: secret = value; break;
                case DaemonKeys.Script: script = value; break;
                case DaemonKeys.Callable: callable = value; break;
                case DaemonKeys.ApplicationGroup: group = value; break;
                case DaemonKeys.ScriptReloading: reloading = value != "0"; break;
                case DaemonKeys.Head: head = value == "1"; break;
                case DaemonKeys.Client: client = value; break;
                case DaemonKeys.BodyComplete: bodyComplete = true; break;
                case DaemonKeys.XSendFile: xsendfile = value == "1"; break;
            }
        }
        return new DaemonRouting(secret, script, callable, group, reloading, head, client, bodyComplete, xsendfile);
    }
}
