using System.Diagnostics;

namespace WsgiHost.Cli.Commands;

/// <summary>Starts this same program with other arguments (daemon workers, server processes), whether it runs as an apphost or under `dotnet`.</summary>
internal static class SelfProcess
{
    public static ProcessStartInfo StartInfo(IEnumerable<string> arguments)
    {
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which program is running");
        var start = new ProcessStartInfo(host) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            // Run by `dotnet WsgiHost.Cli.dll` (never the case for the native executable).
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, typeof(SelfProcess).Assembly.GetName().Name + ".dll"));
        }
        foreach (string arg in arguments)
        {
            start.ArgumentList.Add(arg);
        }
        return start;
    }
}
