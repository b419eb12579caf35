using System.Runtime.InteropServices;
using WsgiHost.Configuration.Directives;
using WsgiHost.Configuration.Model;
using WsgiHost.Logging;
using WsgiHost.Python.Runtime;
using WsgiHost.Server;

namespace WsgiHost.Cli.Commands;

/// <summary>Runs a site until SIGTERM or SIGINT, then stops gracefully (in-flight requests finish). Shared by serve and run.</summary>
internal static class SiteHost
{
    /// <summary>
    /// How long a replaced server process waits for the connections it accepted just before to
    /// bring a first request: ample for a TLS handshake and a request under load; a client that
    /// connects ahead and stays silent longer (a browser's preconnect) is closed unanswered, as
    /// at any stop, and opens another.
    /// </summary>
    private static readonly TimeSpan HandOverLongest = TimeSpan.FromSeconds(2);

    /// <param name="banner">The startup lines; the last one tells tools and people that the server is ready.</param>
    /// <param name="reread">For SIGHUP: reads the configuration again (null, for serve: SIGHUP only restarts the daemon workers).</param>
    public static async Task<int> RunAsync(SiteConfig site, Func<WsgiServer, IEnumerable<string>> banner, Func<SiteConfigResult>? reread = null)
    {
        ApacheErrorLog opened;
        try
        {
            opened = site.ErrorLog is null or "/dev/stderr"
                ? new ApacheErrorLog(Console.Error, site.LogLevel, moduleLevels: site.ModuleLogLevels)
                : ApacheErrorLog.ToFile(site.ErrorLog, site.LogLevel, site.ModuleLogLevels);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"wsgihost: cannot start: cannot open the error log {site.ErrorLog}: {e.Message} (give a file this user can write)").ConfigureAwait(false);
            return 1;
        }
        await using ApacheErrorLog log = opened;

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });
        WsgiServer? running = null;
        InheritedSignals.Reclaim(log);
        log.Write(ErrorLogLevel.Info, "core", $"CPU scheduling: {CpuScheduling.Outcome}.");
        void ReopenLogs(WsgiServer server, string signal)
        {
            var failed = new List<string>();
            int files = server.ReopenLogs(failed);
            log.Write(ErrorLogLevel.Notice, "core", $"{signal}: reopened {files} log file(s).");
            foreach (string failure in failed)
            {
                log.Write(ErrorLogLevel.Error, "core",
                    $"{signal}: cannot reopen {failure}; still writing to the file it had open. A server that runs as Apache's User reopens its logs as that user: let it write in the log folder, or rotate with copytruncate or a piped logger (rotatelogs).");
            }
        }
        // SIGUSR1 (10 on Linux; .NET accepts raw numbers): reopen the log files, for logrotate.
        using var sigusr1 = PosixSignalRegistration.Create((PosixSignal)10, c =>
        {
            c.Cancel = true;
            if (running != null)
            {
                ReopenLogs(running, "SIGUSR1");
            }
        });
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c =>
        {
            c.Cancel = true;
            if (running != null)
            {
                // A restart reopens the logs too, as Apache's does (logrotate scripts that send HUP).
                ReopenLogs(running, "SIGHUP");
            }
            if (running != null && reread != null)
            {
                // Off the signal handler thread: reading and building take a moment.
                WsgiServer target = running;
                _ = Task.Run(() => Reload(target, reread, log));
            }
            else if (running != null)
            {
                // serve: nothing to read again; the workers restart, as apachectl graceful does under mod_wsgi-express.
                WsgiServer target = running;
                _ = Task.Run(target.RestartDaemonWorkers);
            }
        });

        // One of several server processes: if its supervisor is killed outright, it stops too,
        // instead of answering on the shared port beside the next server.
        using ParentWatch? parent = ServerProcesses.Child == null ? null : new ParentWatch(() =>
        {
            log.Write(ErrorLogLevel.Warning, "core", "The supervisor that started this server process is gone (killed?); stopping.");
            stop.TrySetResult();
        });
        // SIGUSR2 from the supervisor: a new server process has taken this one's place (SIGHUP
        // to the supervisor). It stops as on SIGTERM, but the site goes on: the PidFile stays.
        bool replaced = false;
        using PosixSignalRegistration? sigusr2 = ServerProcesses.Child == null ? null : PosixSignalRegistration.Create((PosixSignal)InheritedSignals.SigUsr2, c =>
        {
            c.Cancel = true;
            replaced = true;
            log.Write(ErrorLogLevel.Notice, "core", "A new server process has taken this one's place (SIGHUP): finishing the requests this one has, then stopping.");
            stop.TrySetResult();
        });
        if (ServerProcesses.Child is var (_, count))
        {
            if (ServerProcessConflict(site) is string conflict)
            {
                log.Write(ErrorLogLevel.Critical, "core", $"wsgihost cannot start: {conflict}");
                await Console.Error.WriteLineAsync($"wsgihost: cannot start: {conflict}").ConfigureAwait(false);
                return 1;
            }
            site = site with { ServerProcesses = count };
        }
        PidFile? pidFile;
        try
        {
            pidFile = PidFile.Write(site);
        }
        catch (IOException e)
        {
            log.Write(ErrorLogLevel.Critical, "core", $"wsgihost cannot start: {e.Message}");
            await Console.Error.WriteLineAsync($"wsgihost: cannot start: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        using PidFile? written = pidFile;
        if (written != null)
        {
            // Under a supervisor, only a server process that stops with the site removes it.
            written.Kept = ServerProcesses.Child != null;
        }
        // Open while this process runs: its end tells the supervisor which sockets are still held.
        using ListenSocketClient? sharedSockets = ServerProcesses.Child == null ? null : ListenSocketClient.FromEnvironment();
        if (ServerProcesses.Child != null && sharedSockets == null)
        {
            // Every server process is started by a supervisor, which holds its listening sockets.
            await Console.Error.WriteLineAsync($"wsgihost: cannot start: a server process needs its supervisor's {ListenSocketChannel.Variable}; run 'wsgihost serve|run ... {ServerProcesses.Option} N' instead").ConfigureAwait(false);
            return 1;
        }
        if (site.ErrorLog is string errorLog && errorLog != "/dev/stderr")
        {
            sharedSockets?.NameErrorLog(Path.GetFullPath(errorLog));
        }
        WsgiServer server;
        try
        {
            server = await WsgiServer.StartAsync(site, log, WorkerProcess.StartInfo, sharedSockets, ServerProcesses.IsReplacement).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PythonNotFoundException or IOException or ArgumentException or NotSupportedException
            or InvalidOperationException or DllNotFoundException or System.Security.Cryptography.CryptographicException
            or System.Net.Sockets.SocketException or UnauthorizedAccessException)
        {
            string reason = StartFailure.Describe(e, site);
            log.Write(ErrorLogLevel.Critical, "core", $"wsgihost cannot start: {reason}");
            await Console.Error.WriteLineAsync($"wsgihost: cannot start: {reason}").ConfigureAwait(false);
            return 1;
        }
        running = server;
        await using (server.ConfigureAwait(false))
        {
            foreach (string line in banner(server))
            {
                Console.Out.WriteLine(line);
            }
            Console.Out.Flush();
            await stop.Task.ConfigureAwait(false);
            if (written != null)
            {
                written.Kept = replaced;
            }
            if (replaced)
            {
                await server.HandOverAsync(HandOverLongest).ConfigureAwait(false);
            }
            Console.Out.WriteLine("WsgiHost stopping");
        }
        return 0;
    }

    /// <summary>What several server processes of one site cannot share: each would start its own daemon workers and its own log programs.</summary>
    public static string? ServerProcessConflict(SiteConfig site)
    {
        if (site.DaemonGroups.Count > 0)
        {
            return $"{ServerProcesses.Option} cannot be used with WSGIDaemonProcess groups ('{site.DaemonGroups[0].Name}', {site.DaemonGroups[0].Location}): each server process would start its own workers; give the group processes= instead";
        }
        string? piped = site.AllScopes.SelectMany(s => s.CustomLogs.Select(l => l.Path).Append(s.ErrorLog)).Append(site.ErrorLog)
            .FirstOrDefault(p => p != null && PipedLog.IsPipe(p));
        return piped == null ? null
            : $"{ServerProcesses.Option} cannot be used with piped logs ('{piped}'): each server process would start its own log program; log to a file (reopened on SIGUSR1) instead";
    }

    /// <summary>A bad configuration is reported and the old one keeps serving, as Apache's graceful restart.</summary>
    private static void Reload(WsgiServer server, Func<SiteConfigResult> reread, IErrorLog log)
    {
        try
        {
            SiteConfigResult result = reread();
            foreach (var d in result.Diagnostics.Where(d => d.Severity != Configuration.Syntax.DiagnosticSeverity.Note))
            {
                log.Write(d.Severity == Configuration.Syntax.DiagnosticSeverity.Error ? ErrorLogLevel.Error : ErrorLogLevel.Warning, "core", d.ToString());
            }
            if (result.Config is not SiteConfig next)
            {
                log.Write(ErrorLogLevel.Error, "core", "SIGHUP: the configuration has errors (above) and was not reloaded; the previous configuration keeps serving");
                if (!Daemon.DaemonIdentity.IsRoot && result.Diagnostics.Any(d => d.Message.StartsWith("could not open configuration file", StringComparison.Ordinal)))
                {
                    // A server that became Apache's User reads it as that user; Apache's root parent would not need to.
                    log.Write(ErrorLogLevel.Error, "core", $"SIGHUP: this server runs as {Environment.UserName} (Apache's User) since it started, so it reloads as {Environment.UserName}: let that user read the configuration and every file it includes.");
                }
                return;
            }
            IReadOnlyList<string> notApplied = server.Reload(next);
            log.Write(ErrorLogLevel.Notice, "core", "SIGHUP: configuration reloaded" +
                (notApplied.Count > 0 ? $"; changes to {string.Join(", ", notApplied)} need a restart and were not applied" : ""));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            log.Write(ErrorLogLevel.Error, "core", $"SIGHUP: reloading failed ({e.Message}); the previous configuration keeps serving");
        }
    }
}
