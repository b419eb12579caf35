using System.Runtime.InteropServices;
using WsgiHost.Configuration.Model;
using WsgiHost.Logging;
using WsgiHost.Python.Runtime;
using WsgiHost.Server;

namespace WsgiHost.Cli.Commands;

/// <summary>`wsgihost serve`: serve one WSGI script until SIGINT or SIGTERM.</summary>
internal static class ServeCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        (ServerModel model, string? errorLogPath) = ServeOptionsParser.Parse(args);
        await using ApacheErrorLog log = errorLogPath == null
            ? new ApacheErrorLog(Console.Error, model.LogLevel)
            : ApacheErrorLog.ToFile(errorLogPath, model.LogLevel);

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });

        WsgiServer server;
        try
        {
            server = await WsgiServer.StartAsync(model, log, Console.Out).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PythonNotFoundException or IOException or ArgumentException or NotSupportedException or InvalidOperationException or DllNotFoundException)
        {
            log.Write(ErrorLogLevel.Critical, "core", $"wsgihost cannot start: {e.Message}");
            await Console.Error.WriteLineAsync($"wsgihost: cannot start: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        await using (server.ConfigureAwait(false))
        {
            var app = model.Mounts[0].Application;
            foreach (string url in server.Urls)
            {
                Console.Out.WriteLine($"WsgiHost serving {app.ScriptPath} at {url}{model.Mounts[0].UrlPrefix.TrimStart('/')}");
            }
            Console.Out.WriteLine($"  python: {server.PythonDescription}");
            Console.Out.WriteLine($"  mode:   embedded, {model.Threads} WSGI thread(s), application group %{{GLOBAL}}");
            Console.Out.Flush();
            await stop.Task.ConfigureAwait(false);
            Console.Out.WriteLine("WsgiHost stopping");
        }
        return 0;
    }
}
