using System.Runtime.InteropServices;
using WsgiHost.Configuration.Model;
using WsgiHost.Logging;
using WsgiHost.Python.Runtime;
using WsgiHost.Server;

namespace WsgiHost.Cli.Commands;

/// <summary>Runs a site until SIGTERM or SIGINT, then stops gracefully (in-flight requests finish). Shared by serve and run.</summary>
internal static class SiteHost
{
    /// <param name="banner">The startup lines; the last one tells tools and people that the server is ready.</param>
    public static async Task<int> RunAsync(SiteConfig site, Func<WsgiServer, IEnumerable<string>> banner)
    {
        await using ApacheErrorLog log = site.ErrorLog is null or "/dev/stderr"
            ? new ApacheErrorLog(Console.Error, site.LogLevel)
            : ApacheErrorLog.ToFile(site.ErrorLog, site.LogLevel);

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });

        WsgiServer server;
        try
        {
            server = await WsgiServer.StartAsync(site, log).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PythonNotFoundException or IOException or ArgumentException or NotSupportedException
            or InvalidOperationException or DllNotFoundException or System.Security.Cryptography.CryptographicException)
        {
            log.Write(ErrorLogLevel.Critical, "core", $"wsgihost cannot start: {e.Message}");
            await Console.Error.WriteLineAsync($"wsgihost: cannot start: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        await using (server.ConfigureAwait(false))
        {
            foreach (string line in banner(server))
            {
                Console.Out.WriteLine(line);
            }
            Console.Out.Flush();
            await stop.Task.ConfigureAwait(false);
            Console.Out.WriteLine("WsgiHost stopping");
        }
        return 0;
    }
}
