using System.Diagnostics;

namespace WsgiHost.Daemon;

/// <summary>Starting one of WsgiHost's own programs (a server process, a daemon worker) with its arguments as given, no shell.</summary>
internal static class ProgramStart
{
    public static ProcessStartInfo Of(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return start;
    }
}
