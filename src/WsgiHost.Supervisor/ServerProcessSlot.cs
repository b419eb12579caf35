namespace WsgiHost.Supervisor;

/// <summary>
/// One server process's place among the site's N: a replacement (after a crash, or on SIGHUP)
/// takes the same place, and with it the place's listening sockets. The supervisor's lock guards it.
/// </summary>
internal sealed class ServerProcessSlot(int index)
{
    public int Index { get; } = index;

    /// <summary>The process serving at this place (or starting to, after a crash); null before the first.</summary>
    public ServerProcess? Current { get; set; }

    public int Generation { get; set; }

    /// <summary>Deaths in a row soon after starting, which space the next starts out.</summary>
    public int QuickFailures { get; set; }
}
