using System.Diagnostics;
using WsgiHost.Daemon;

namespace WsgiHost.Cli.Commands;

/// <summary>Starts this same program with other arguments (daemon workers, server processes), whether it runs as an apphost or under `dotnet`.</summary>
internal static class SelfProcess
{
    public static ProcessStartInfo StartInfo(IEnumerable<string> arguments)
    {
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which program is running");
        // Run by `dotnet WsgiHost.Cli.dll` (never the case for the native executable): the assembly first.
        return Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase)
            ? ProgramStart.Of(host, [Path.Combine(AppContext.BaseDirectory, typeof(SelfProcess).Assembly.GetName().Name + ".dll"), .. arguments])
            : ProgramStart.Of(host, arguments);
    }
}
