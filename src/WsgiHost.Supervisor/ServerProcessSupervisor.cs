using System.Diagnostics;
using System.Runtime.InteropServices;
using WsgiHost.Logging;
using WsgiHost.Python.Runtime;
using WsgiHost.Server;

namespace WsgiHost.Supervisor;

/// <summary>
/// `serve`/`run --server-processes N`: starts N server processes of the same command, each a
/// whole server with its own embedded Python, all bound to the same ports (SO_REUSEPORT), so
/// Python runs on as many cores as there are processes, as Apache's child processes run
/// embedded mod_wsgi. This process loads no Python: it prints the first process's startup
/// lines once all are ready, passes their output on, forwards signals (SIGTERM drains each,
/// SIGUSR1 reopens their logs) and replaces a process that dies. It holds their listening
/// sockets (<see cref="ListenSocketBroker"/>), so SIGHUP replaces them one by one, the way
/// Apache's graceful restart gives embedded mod_wsgi new children: a new process, with the
/// configuration and the application's code loaded anew, starts beside the old one and takes
/// its sockets, and the old one finishes its requests; no connection is refused or reset. It
/// runs as its own small program (Program.cs) or, where that is not at hand, inside wsgihost.
/// </summary>
internal sealed class ServerProcessSupervisor
{
    private const string ReadyPrefix = "  mode:";
    private const string StoppingLine = "WsgiHost stopping";
    private const int SigKill = 9;

    /// <summary>How long a reload's new process may start before the log says it is slow.</summary>
    private static readonly TimeSpan SlowStart = TimeSpan.FromSeconds(30);

    /// <summary>How long a process still starting at SIGTERM has to stop before it is killed.</summary>
    private static readonly TimeSpan StartingStopGrace = TimeSpan.FromSeconds(2);

    private readonly Func<IEnumerable<string>, ProcessStartInfo> _startInfo;
    private readonly string[] _arguments;
    private readonly ServerProcessSlot[] _slots;
    private readonly List<ServerProcess> _retiring = [];
    private readonly List<ServerProcess> _starting = [];
    private readonly IErrorLog _log;
    private readonly ListenSocketBroker _sockets;
    private readonly Lock _lock = new();
    private readonly TaskCompletionSource _stop = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _stopping;
    private bool _reloading;
    private bool _reloadAgain;
    private bool _serving;
    private bool _reloadWhenServing;

    private ServerProcessSupervisor(Func<IEnumerable<string>, ProcessStartInfo> startInfo, string[] arguments, int count, SupervisorErrorLog log)
    {
        _startInfo = startInfo;
        _arguments = arguments;
        _slots = [.. Enumerable.Range(0, count).Select(i => new ServerProcessSlot(i))];
        _log = log;
        _sockets = new ListenSocketBroker(log, log.UseFile);
    }

    /// <param name="startInfo">How to start the server program with the given arguments.</param>
    /// <param name="command">serve or run, and <paramref name="args"/> its arguments, without the server-processes option.</param>
    public static async Task<int> RunAsync(Func<IEnumerable<string>, ProcessStartInfo> startInfo, string command, IReadOnlyList<string> args, int count)
    {
        await using var log = new SupervisorErrorLog();
        var supervisor = new ServerProcessSupervisor(startInfo, [command, .. args], count, log);
        using (supervisor._sockets)
        {
            return await supervisor.RunAsync().ConfigureAwait(false);
        }
    }

    private async Task<int> RunAsync()
    {
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; Stop(15); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; Stop(2); });
        InheritedSignals.Reclaim(_log);
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => { c.Cancel = true; _ = Task.Run(ReloadAsync); });
        using var sigusr1 = PosixSignalRegistration.Create((PosixSignal)InheritedSignals.SigUsr1, c =>
        {
            c.Cancel = true;
            LogFile.ReopenAll();
            Forward(InheritedSignals.SigUsr1, readyOnly: true);
        });
        ServerProcess?[] first = [.. _slots.Select(Spawn)];
        List<string>?[] banners = await Task.WhenAll(first.Select(p => p?.Ready.Task ?? Task.FromResult<List<string>?>(null))).ConfigureAwait(false);
        if (banners.Any(b => b == null))
        {
            // One could not start (its own error went to standard error): stop the others.
            bool stopped;
            lock (_lock)
            {
                stopped = _stopping;
                _stopping = true;
            }
            Forward(15);
            int[] codes = await ExitCodesAsync(sayFailures: false).ConfigureAwait(false);
            return stopped ? 0 : codes.FirstOrDefault(c => c != 0, 1);
        }
        List<string> banner = banners[0]!;
        foreach (string line in banner.Take(banner.Count - 1))
        {
            Console.Out.WriteLine(line);
        }
        Console.Out.WriteLine($"{banner[^1]}; {_slots.Length} server processes (pids {string.Join(", ", Pids())})");
        Console.Out.Flush();
        // From here it only waits on its children: the pages its startup mapped can go.
        MappedFilePages.ReleaseClean();
        bool reload;
        lock (_lock)
        {
            _serving = true;
            reload = _reloadWhenServing;
        }
        if (reload)
        {
            _ = Task.Run(ReloadAsync);
        }
        await _stop.Task.ConfigureAwait(false);
        int[] exits = await ExitCodesAsync(sayFailures: true).ConfigureAwait(false);
        Console.Out.WriteLine(StoppingLine);
        return exits.Any(c => c != 0) ? 1 : 0;
    }

    private IEnumerable<int> Pids()
    {
        lock (_lock)
        {
            return [.. _slots.Select(s => s.Current?.Pid ?? 0)];
        }
    }

    /// <summary>Starts a server process at <paramref name="slot"/>, which becomes its current one unless <paramref name="beside"/> (a reload: it becomes current once it serves).</summary>
    private ServerProcess? Spawn(ServerProcessSlot slot) => Spawn(slot, beside: false);

    private ServerProcess? Spawn(ServerProcessSlot slot, bool beside)
    {
        lock (_lock)
        {
            if (_stopping)
            {
                return null;
            }
            ProcessStartInfo start = _startInfo(_arguments);
            start.RedirectStandardOutput = true;
            var (name, value) = ServerProcesses.ChildVariable(slot.Index, _slots.Length, replacing: beside);
            start.Environment[name] = value;
            var (channel, inherited, lease) = _sockets.Open(slot.Index);
            using (inherited)
            {
                start.Environment[channel.Key] = channel.Value;
                var process = new Process { StartInfo = start, EnableRaisingEvents = true };
                var started = new ServerProcess(slot, ++slot.Generation, process, lease);
                process.OutputDataReceived += (_, e) => OnOutput(started, e.Data);
                process.Exited += (_, _) => OnExited(started);
                try
                {
                    process.Start();
                    started.Pid = process.Id;
                }
                catch
                {
                    lease.Dispose();
                    throw;
                }
                process.BeginOutputReadLine();
                if (beside)
                {
                    _starting.Add(started);
                }
                else
                {
                    if (slot.Current is { HasEnded: true } dead)
                    {
                        Release(dead);
                    }
                    slot.Current = started;
                }
                return started;
            }
        }
    }

    /// <summary>Startup lines are kept for the banner; after them, output (an access log on standard output) is passed on.</summary>
    private void OnOutput(ServerProcess server, string? line)
    {
        if (line == null)
        {
            return;
        }
        lock (_lock)
        {
            if (!server.IsReady)
            {
                server.Banner.Add(line);
                if (line.StartsWith(ReadyPrefix, StringComparison.Ordinal))
                {
                    server.IsReady = true;
                    if (server.Slot.Current == server)
                    {
                        server.Slot.QuickFailures = 0;
                        if (server.Generation > 1)
                        {
                            _log.Write(ErrorLogLevel.Notice, "core", $"Server process {server.Slot.Index} is serving again (pid {server.Pid}).");
                        }
                    }
                    server.Ready.TrySetResult([.. server.Banner]);
                }
                return;
            }
        }
        if (line != StoppingLine)
        {
            Console.Out.WriteLine(line);
        }
    }

    private void OnExited(ServerProcess server)
    {
        int code = server.Process.ExitCode;
        ServerProcessSlot slot = server.Slot;
        TimeSpan delay;
        server.Sockets.Dispose();
        lock (_lock)
        {
            server.HasEnded = true;
            server.ExitCode = code;
            server.Ready.TrySetResult(null);
            if (_retiring.Remove(server))
            {
                Release(server);
                // Replaced on SIGHUP, and done with its requests.
                _log.Write(code == 0 ? ErrorLogLevel.Notice : ErrorLogLevel.Error, "core",
                    $"The replaced server process {slot.Index} (pid {server.Pid}) {(code == 0 ? "finished its requests and exited" : HowItEnded(code))}.");
                if (_retiring.Count == 0 && !_reloading)
                {
                    // The last of the old ones: what the new configuration no longer listens on can close.
                    _sockets.CloseUnheld();
                }
                return;
            }
            if (_stopping || slot.Current != server || server.Generation == 1 && !server.IsReady)
            {
                // Stopping, a first start that failed (RunAsync handles both), or a reload's new
                // process that failed to start (ReloadAsync does; no one needs it after).
                if (!_stopping && slot.Current != server)
                {
                    Release(server);
                }
                return;
            }
            // Its sockets close with it, as its own would have: new connections go to the other
            // places meanwhile; its replacement, maybe seconds away, gets new ones.
            _sockets.CloseUnheld(slot.Index);
            string how = HowItEnded(code);
            slot.QuickFailures = DateTime.UtcNow - server.StartedAt < TimeSpan.FromSeconds(5) ? slot.QuickFailures + 1 : 0;
            delay = TimeSpan.FromSeconds(Math.Min(10, slot.QuickFailures));
            _log.Write(ErrorLogLevel.Error, "core",
                $"Server process {slot.Index} (pid {server.Pid}) {how}; starting a new one{(delay > TimeSpan.Zero ? $" in {delay.TotalSeconds:0} s" : "")}. Requests it was running failed; the other server processes kept serving.");
        }
        _ = Task.Delay(delay).ContinueWith(_ => SpawnLogged(slot), TaskScheduler.Default);
    }

    /// <summary>
    /// Frees an exited process's Process (its output pipe and wait handle) once its last output
    /// has been passed on: a reload ends two per place, and they waited for the finalizer.
    /// </summary>
    private static void Release(ServerProcess server) => _ = Task.Run(async () =>
    {
        await server.Process.WaitForExitAsync().ConfigureAwait(false);
        server.Process.Dispose();
    });

    /// <remarks>.NET reports a process killed by signal N as 128+N.</remarks>
    private static string HowItEnded(int code) =>
        code is > 128 and < 160 ? $"was killed by signal {code - 128}" : $"exited with code {code}";

    private void SpawnLogged(ServerProcessSlot slot)
    {
        lock (_lock)
        {
            if (slot.Current is { HasEnded: false })
            {
                return; // a reload put a new one there meanwhile
            }
        }
        try
        {
            Spawn(slot);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            _log.Write(ErrorLogLevel.Error, "core", $"Server process {slot.Index}: cannot start a new one: {e.Message}");
        }
    }

    /// <summary>
    /// SIGHUP: each place in turn gets a new server process, which reads the configuration and
    /// loads the application anew; once it serves, the old one is told to finish its requests
    /// and stop (SIGUSR2). One at a time, so memory never holds more than one extra process. A
    /// new process that cannot start (a broken configuration, an app that no longer imports)
    /// ends the reload: the processes not yet replaced keep serving as they were.
    /// </summary>
    private async Task ReloadAsync()
    {
        lock (_lock)
        {
            if (_stopping)
            {
                return;
            }
            if (!_serving)
            {
                // The first processes are still starting (a new one beside them now could signal
                // one before it handles the signal): the reload comes once they serve.
                _reloadWhenServing = true;
                return;
            }
            if (_reloading)
            {
                // Another SIGHUP while replacing: once this round ends, another, so the newest
                // configuration and code win. A new process still starting serves nothing yet:
                // it is stopped now, so a fix sent after an app that hangs as it loads takes effect.
                _reloadAgain = true;
                foreach (ServerProcess starting in _starting.Where(p => !p.IsReady && !p.HasEnded))
                {
                    starting.Superseded = true;
                    _ = Kill(starting.Pid, SigKill);
                }
                return;
            }
            _reloading = true;
        }
        try
        {
            do
            {
                lock (_lock)
                {
                    _reloadAgain = false;
                }
                await ReplaceAllAsync().ConfigureAwait(false);
            }
            while (Volatile.Read(ref _reloadAgain));
        }
        finally
        {
            lock (_lock)
            {
                _reloading = false;
                if (_retiring.Count == 0)
                {
                    _sockets.CloseUnheld();
                }
            }
        }
    }

    private async Task ReplaceAllAsync()
    {
        _log.Write(ErrorLogLevel.Notice, "core", $"SIGHUP: replacing the {_slots.Length} server process(es) one at a time; each new one loads the configuration and the application anew.");
        var replaced = new List<int>();
        foreach (ServerProcessSlot slot in _slots)
        {
            ServerProcess? next;
            try
            {
                next = Spawn(slot, beside: true);
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
            {
                _log.Write(ErrorLogLevel.Error, "core", $"SIGHUP: cannot start a new server process {slot.Index}: {e.Message}; the server processes keep serving as they were.");
                return;
            }
            if (next == null)
            {
                return; // stopping
            }
            if (await Task.WhenAny(next.Ready.Task, Task.Delay(SlowStart)).ConfigureAwait(false) != next.Ready.Task)
            {
                _log.Write(ErrorLogLevel.Warning, "core",
                    $"SIGHUP: the new server process {slot.Index} (pid {next.Pid}) has been starting for {SlowStart.TotalSeconds:0} s (its application still loading?); the old one keeps serving meanwhile. "
                    + "Another SIGHUP stops it and starts the reload over; SIGTERM stops the server.");
            }
            bool serves = await next.Ready.Task.ConfigureAwait(false) != null;
            ServerProcess? old = null;
            bool superseded;
            lock (_lock)
            {
                // Killed by a newer SIGHUP, even if it printed its startup lines as it died.
                superseded = next.Superseded;
                serves &= !superseded;
                _starting.Remove(next);
                if (_stopping)
                {
                    return; // Stop signalled every process, the new one included
                }
                if (serves)
                {
                    old = slot.Current;
                    slot.Current = next;
                    slot.QuickFailures = 0;
                    if (old is { HasEnded: false })
                    {
                        _retiring.Add(old);
                    }
                    else
                    {
                        if (old != null)
                        {
                            Release(old);
                        }
                        old = null;
                    }
                }
            }
            if (!serves)
            {
                string already = replaced.Count > 0 ? $"; server process(es) {string.Join(", ", replaced)} were replaced already" : "";
                if (superseded)
                {
                    _log.Write(ErrorLogLevel.Notice, "core", $"SIGHUP: the new server process {slot.Index} (pid {next.Pid}) was still starting when another SIGHUP came: stopped, and the reload starts over{already}.");
                }
                else if (next.ExitCode is > 128 and < 160 and var killed)
                {
                    _log.Write(ErrorLogLevel.Error, "core",
                        $"SIGHUP: the new server process {slot.Index} (pid {next.Pid}) {HowItEnded(killed)} as it started{already}; the others keep serving with the configuration and code they had. Send SIGHUP again to retry.");
                }
                else
                {
                    _log.Write(ErrorLogLevel.Error, "core",
                        $"SIGHUP: the new server process {slot.Index} (pid {next.Pid}) could not start (exit code {next.ExitCode}; its error is above){already}; "
                        + $"the others keep serving with the configuration and code they had. Fix it (wsgihost check) and send SIGHUP again.");
                }
                return;
            }
            if (old != null)
            {
                _ = Kill(old.Pid, InheritedSignals.SigUsr2);
            }
            replaced.Add(slot.Index);
            _log.Write(ErrorLogLevel.Notice, "core",
                $"SIGHUP: server process {slot.Index} replaced: pid {next.Pid} serves{(old != null ? $"; pid {old.Pid} finishes its requests and stops" : "")}.");
        }
        _log.Write(ErrorLogLevel.Notice, "core", $"SIGHUP: all {_slots.Length} server process(es) replaced (pids {string.Join(", ", Pids())}).");
    }

    private void Stop(int signal)
    {
        lock (_lock)
        {
            _stopping = true;
        }
        Forward(signal);
        _stop.TrySetResult();
        _ = KillStillStartingAsync();
    }

    /// <summary>
    /// A process still starting at SIGTERM (its application loading, or hung loading) serves
    /// nothing and takes no signal until it has started: it is killed after a moment, instead of
    /// keeping the server, and its port, up for as long as the load takes (QA: an import that
    /// slept 120 s did).
    /// </summary>
    private async Task KillStillStartingAsync()
    {
        await Task.Delay(StartingStopGrace).ConfigureAwait(false);
        List<ServerProcess> starting;
        lock (_lock)
        {
            starting = [.. AllServerProcesses().Where(p => !p.IsReady && !p.HasEnded)];
        }
        foreach (ServerProcess server in starting)
        {
            _log.Write(ErrorLogLevel.Warning, "core", $"Server process {server.Slot.Index} (pid {server.Pid}) was still starting {StartingStopGrace.TotalSeconds:0} s after the signal to stop (its application still loading?): killed.");
            _ = Kill(server.Pid, SigKill);
        }
    }

    /// <summary>
    /// Every server process gets <paramref name="signal"/>: those serving, starting, and finishing
    /// after a reload; with <paramref name="readyOnly"/>, not those still starting, which have no
    /// handler for it yet (SIGUSR1 would kill them) and open their logs anew anyway.
    /// </summary>
    private void Forward(int signal, bool readyOnly = false)
    {
        List<int> pids;
        lock (_lock)
        {
            pids = [.. AllServerProcesses().Where(p => !p.HasEnded && (p.IsReady || !readyOnly)).Select(p => p.Pid)];
        }
        foreach (int pid in pids)
        {
            _ = Kill(pid, signal);
        }
    }

    /// <summary>Under the lock.</summary>
    private IEnumerable<ServerProcess> AllServerProcesses() =>
        _slots.Select(s => s.Current).OfType<ServerProcess>().Concat(_retiring).Concat(_starting);

    private List<Process> AllProcesses()
    {
        lock (_lock)
        {
            return [.. AllServerProcesses().Where(p => !p.HasEnded).Select(p => p.Process)];
        }
    }

    private async Task<int[]> ExitCodesAsync(bool sayFailures)
    {
        List<(Process Process, int Index)> processes;
        lock (_lock)
        {
            processes = [.. _slots.Where(s => s.Current != null).Select(s => (s.Current!.Process, s.Index))];
        }
        var codes = new List<int>();
        foreach (var (process, index) in processes)
        {
            await process.WaitForExitAsync().ConfigureAwait(false);
            codes.Add(process.ExitCode);
            if (sayFailures && process.ExitCode != 0)
            {
                // The supervisor's own exit code only says "some": say which, and how.
                _log.Write(ErrorLogLevel.Error, "core", $"Server process {index} (pid {process.Id}) {HowItEnded(process.ExitCode)} while stopping.");
            }
        }
        // Those replaced on a reload, and a reload's new one, stop too before this process does.
        foreach (Process other in AllProcesses())
        {
            await other.WaitForExitAsync().ConfigureAwait(false);
        }
        return [.. codes];
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
