using System.Diagnostics;
using System.Runtime.InteropServices;
using WsgiHost.Logging;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Supervisor;

/// <summary>
/// `serve`/`run --server-processes N`: starts N server processes of the same command, each a
/// whole server with its own embedded Python, all bound to the same ports (SO_REUSEPORT), so
/// Python runs on as many cores as there are processes, as Apache's child processes run
/// embedded mod_wsgi. This process loads no Python: it prints the first process's startup
/// lines once all are ready, passes their output on, forwards signals (SIGTERM drains each,
/// SIGHUP reloads each, SIGUSR1 reopens their logs) and replaces a process that dies. It runs
/// as its own small program (Program.cs) or, where that is not at hand, inside wsgihost.
/// </summary>
internal sealed class ServerProcessSupervisor
{
    private const string ReadyPrefix = "  mode:";
    private const string StoppingLine = "WsgiHost stopping";

    private readonly Func<IEnumerable<string>, ProcessStartInfo> _startInfo;
    private readonly string[] _arguments;
    private readonly Slot[] _slots;
    private readonly IErrorLog _log;
    private readonly Lock _lock = new();
    private readonly TaskCompletionSource _stop = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _stopping;

    private ServerProcessSupervisor(Func<IEnumerable<string>, ProcessStartInfo> startInfo, string[] arguments, int count, IErrorLog log)
    {
        _startInfo = startInfo;
        _arguments = arguments;
        _slots = [.. Enumerable.Range(0, count).Select(i => new Slot(i))];
        _log = log;
    }

    /// <summary>One server process's place; a replacement takes the same place.</summary>
    private sealed class Slot(int index)
    {
        public int Index { get; } = index;

        public Process? Process { get; set; }

        public int Generation { get; set; }

        public DateTime StartedAt { get; set; }

        public int QuickFailures { get; set; }

        public bool IsReady { get; set; }

        public List<string> Banner { get; } = [];

        public TaskCompletionSource<List<string>?> Ready { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <param name="startInfo">How to start the server program with the given arguments.</param>
    /// <param name="command">serve or run, and <paramref name="args"/> its arguments, without the server-processes option.</param>
    public static async Task<int> RunAsync(Func<IEnumerable<string>, ProcessStartInfo> startInfo, string command, IReadOnlyList<string> args, int count)
    {
        await using var log = new ApacheErrorLog(Console.Error, ErrorLogLevel.Notice);
        return await new ServerProcessSupervisor(startInfo, [command, .. args], count, log).RunAsync().ConfigureAwait(false);
    }

    private async Task<int> RunAsync()
    {
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; Stop(15); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; Stop(2); });
        WsgiHost.Server.InheritedSignals.Reclaim(_log);
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => { c.Cancel = true; Forward(1); });
        using var sigusr1 = PosixSignalRegistration.Create((PosixSignal)10, c => { c.Cancel = true; Forward(10); });
        foreach (Slot slot in _slots)
        {
            Spawn(slot);
        }
        List<string>?[] banners = await Task.WhenAll(_slots.Select(s => s.Ready.Task)).ConfigureAwait(false);
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
        WsgiHost.Server.MappedFilePages.ReleaseClean();
        await _stop.Task.ConfigureAwait(false);
        int[] exits = await ExitCodesAsync(sayFailures: true).ConfigureAwait(false);
        Console.Out.WriteLine(StoppingLine);
        return exits.Any(c => c != 0) ? 1 : 0;
    }

    private IEnumerable<int> Pids()
    {
        lock (_lock)
        {
            return [.. _slots.Select(s => s.Process?.Id ?? 0)];
        }
    }

    private void Spawn(Slot slot)
    {
        lock (_lock)
        {
            if (_stopping)
            {
                return;
            }
            ProcessStartInfo start = _startInfo(_arguments);
            start.RedirectStandardOutput = true;
            var (name, value) = ServerProcesses.ChildVariable(slot.Index, _slots.Length);
            start.Environment[name] = value;
            var process = new Process { StartInfo = start, EnableRaisingEvents = true };
            int generation = ++slot.Generation;
            slot.IsReady = false;
            slot.Banner.Clear();
            if (generation > 1)
            {
                slot.Ready = new TaskCompletionSource<List<string>?>(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            process.OutputDataReceived += (_, e) => OnOutput(slot, generation, e.Data);
            process.Exited += (_, _) => OnExited(slot, process, generation);
            process.Start();
            process.BeginOutputReadLine();
            slot.Process = process;
            slot.StartedAt = DateTime.UtcNow;
        }
    }

    /// <summary>Startup lines are kept for the banner; after them, output (an access log on standard output) is passed on.</summary>
    private void OnOutput(Slot slot, int generation, string? line)
    {
        if (line == null)
        {
            return;
        }
        lock (_lock)
        {
            if (slot.Generation == generation && !slot.IsReady)
            {
                slot.Banner.Add(line);
                if (line.StartsWith(ReadyPrefix, StringComparison.Ordinal))
                {
                    slot.IsReady = true;
                    slot.QuickFailures = 0;
                    slot.Ready.TrySetResult([.. slot.Banner]);
                    if (generation > 1)
                    {
                        _log.Write(ErrorLogLevel.Notice, "core", $"Server process {slot.Index} is serving again (pid {slot.Process?.Id}).");
                    }
                }
                return;
            }
        }
        if (line != StoppingLine)
        {
            Console.Out.WriteLine(line);
        }
    }

    private void OnExited(Slot slot, Process process, int generation)
    {
        int code = process.ExitCode;
        TimeSpan delay;
        lock (_lock)
        {
            slot.Ready.TrySetResult(null);
            if (_stopping || generation == 1 && !slot.IsReady)
            {
                // Stopping, or a first start that failed: RunAsync handles both.
                return;
            }
            string how = HowItEnded(code);
            slot.QuickFailures = DateTime.UtcNow - slot.StartedAt < TimeSpan.FromSeconds(5) ? slot.QuickFailures + 1 : 0;
            delay = TimeSpan.FromSeconds(Math.Min(10, slot.QuickFailures));
            _log.Write(ErrorLogLevel.Error, "core",
                $"Server process {slot.Index} (pid {process.Id}) {how}; starting a new one{(delay > TimeSpan.Zero ? $" in {delay.TotalSeconds:0} s" : "")}. Requests it was running failed; the other server processes kept serving.");
        }
        _ = Task.Delay(delay).ContinueWith(_ => SpawnLogged(slot), TaskScheduler.Default);
    }

    /// <remarks>.NET reports a process killed by signal N as 128+N.</remarks>
    private static string HowItEnded(int code) =>
        code is > 128 and < 160 ? $"was killed by signal {code - 128}" : $"exited with code {code}";

    private void SpawnLogged(Slot slot)
    {
        try
        {
            Spawn(slot);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            _log.Write(ErrorLogLevel.Error, "core", $"Server process {slot.Index}: cannot start a new one: {e.Message}");
        }
    }

    private void Stop(int signal)
    {
        lock (_lock)
        {
            _stopping = true;
        }
        Forward(signal);
        _stop.TrySetResult();
    }

    private void Forward(int signal)
    {
        foreach (int pid in Pids().Where(p => p > 0))
        {
            _ = Kill(pid, signal);
        }
    }

    private async Task<int[]> ExitCodesAsync(bool sayFailures)
    {
        Process?[] processes;
        lock (_lock)
        {
            processes = [.. _slots.Select(s => s.Process)];
        }
        var codes = new List<int>();
        foreach (var (process, index) in processes.Select((p, i) => (p, i)))
        {
            if (process != null)
            {
                await process.WaitForExitAsync().ConfigureAwait(false);
                codes.Add(process.ExitCode);
                if (sayFailures && process.ExitCode != 0)
                {
                    // The supervisor's own exit code only says "some": say which, and how.
                    _log.Write(ErrorLogLevel.Error, "core", $"Server process {index} (pid {process.Id}) {HowItEnded(process.ExitCode)} while stopping.");
                }
            }
        }
        return [.. codes];
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
