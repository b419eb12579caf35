using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace WsgiHost.FunctionalTests.Infrastructure;

/// <summary>
/// A real `wsgihost serve` process on 127.0.0.1 with a free port. Its stdout (startup lines,
/// access log) and stderr (the error log) are captured for assertions. Disposing stops it
/// by PID with SIGTERM, then SIGKILL if it does not exit.
/// </summary>
public sealed class WsgiHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource<bool> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WsgiHostProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        Client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30), AutomaticDecompression = DecompressionMethods.None })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public int Port { get; }

    public HttpClient Client { get; }

    /// <summary>A client of the same server that hands back redirects instead of following them.</summary>
    public HttpClient ClientWithoutRedirects => _noRedirects ??= new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None })
    {
        BaseAddress = Client.BaseAddress,
        Timeout = TimeSpan.FromSeconds(60),
    };

    private HttpClient? _noRedirects;

    public int Pid => _process.Id;

    /// <summary>The PID the fixture app's <c>/pid</c> answers with: the daemon worker that served it, or the server itself in embedded mode.</summary>
    public async Task<int> AppPidAsync() =>
        int.Parse(await Client.GetStringAsync("/pid"), System.Globalization.CultureInfo.InvariantCulture);

    public static string TestAppsDirectory => Path.Combine(RepoRoot, "tests", "apps");

    public static string RepoRoot
    {
        get
        {
            string? dir = AppContext.BaseDirectory;
            while (dir != null && !File.Exists(Path.Combine(dir, "WsgiHost.sln")))
            {
                dir = Path.GetDirectoryName(dir);
            }
            return dir ?? throw new InvalidOperationException("cannot find the repository root (WsgiHost.sln) above " + AppContext.BaseDirectory);
        }
    }

    public static string App(string name) => Path.Combine(TestAppsDirectory, name);

    /// <summary>The native wsgihost under test (WSGIHOST_TEST_CLI, set by scripts/test.sh), or null for the assembly run by dotnet.</summary>
    public static string? NativeCli => Environment.GetEnvironmentVariable("WSGIHOST_TEST_CLI") is { Length: > 0 } path ? Path.GetFullPath(path) : null;

    /// <summary>A program published next to the native wsgihost (wsgihost-supervisor, wsgihost-worker).</summary>
    public static string NativeSibling(string native, string name) => Path.Combine(Path.GetDirectoryName(native)!, name);

    /// <summary>
    /// Runs one of the programs beside the native wsgihost under test, or, for the assembly
    /// build, the assembly that does the same job under dotnet, to its end.
    /// </summary>
    public static Task<(int ExitCode, string Output, string Error)> RunSiblingToEndAsync(string sibling, string assembly, params string[] args)
    {
        var psi = NativeCli is { } native
            ? new ProcessStartInfo(NativeSibling(native, sibling))
            : new ProcessStartInfo("dotnet") { ArgumentList = { Path.Combine(AppContext.BaseDirectory, assembly) } };
        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }
        psi.RedirectStandardOutput = psi.RedirectStandardError = true;
        return RunToEndAsync(psi);
    }

    /// <summary>The error log so far (stderr).</summary>
    public string ErrorLog
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public string Output
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    /// <summary>
    /// Starts `wsgihost serve script` with the given extra arguments and waits until it answers.
    /// Embedded (`--embedded`) unless the arguments choose a mode: most tests are about the
    /// gateway, which is the same in both, and embedded is faster to start. <see cref="StartDaemonAsync"/> keeps serve's default.
    /// </summary>
    public static Task<WsgiHostProcess> StartAsync(string script, params string[] args) =>
        StartServeAsync(script, args.Contains("--processes") || args.Contains("--server-processes") ? args : ["--embedded", .. args]);

    /// <summary>Starts `wsgihost serve script` in its default mode (daemon: one worker process).</summary>
    public static Task<WsgiHostProcess> StartDaemonAsync(string script, params string[] args) => StartServeAsync(script, args);

    /// <summary>
    /// Starts `wsgihost serve script` with variables added to its environment (which its daemon
    /// workers and server processes inherit); the mode is the arguments' (serve's default: daemon).
    /// </summary>
    public static Task<WsgiHostProcess> StartServeAsync(string script, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        int port = FreePort();
        var psi = StartInfo(["serve", script, "--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. args]);
        foreach (var (name, value) in environment)
        {
            psi.Environment[name] = value;
        }
        return LaunchAsync(psi, port, script);
    }

    private static Task<WsgiHostProcess> StartServeAsync(string script, string[] args) =>
        StartServeAsync(script, new Dictionary<string, string>(), args);

    /// <summary>
    /// Starts `wsgihost run` on a config of tests/apps/configs that listens on ${PORT}, given a
    /// free port, with the extra arguments (--python ...).
    /// </summary>
    public static Task<WsgiHostProcess> RunConfigAsync(string configName, params string[] args)
    {
        int port = FreePort();
        return RunAsync(Path.Combine(TestAppsDirectory, "configs", configName), port,
            new Dictionary<string, string> { ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) }, args);
    }

    /// <summary>
    /// Starts `wsgihost run config` with -D NAME=VALUE for each define; <paramref name="port"/> is
    /// where <see cref="Client"/> sends requests (one of the config's Listen ports).
    /// </summary>
    public static Task<WsgiHostProcess> RunAsync(string config, int port, IReadOnlyDictionary<string, string> defines, params string[] args) =>
        RunAsync(config, port, defines, new Dictionary<string, string>(), args);

    /// <summary>
    /// As <see cref="RunAsync(string, int, IReadOnlyDictionary{string, string}, string[])"/>, with
    /// variables added to the server's environment (which its daemon workers inherit, as Apache's do).
    /// </summary>
    public static Task<WsgiHostProcess> RunAsync(string config, int port, IReadOnlyDictionary<string, string> defines, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var psi = StartInfo(["run", config, .. defines.SelectMany(d => new[] { "-D", $"{d.Key}={d.Value}" }), .. args]);
        foreach (var (name, value) in environment)
        {
            psi.Environment[name] = value;
        }
        return LaunchAsync(psi, port, config);
    }

    /// <summary>
    /// Starts `wsgihost run config` through <paramref name="wrapper"/>, a program that sets up
    /// the process and execs the rest of its command line (nohup, setsid, chrt), so the PID is
    /// wsgihost's; <paramref name="wrapperArgs"/> come before wsgihost's command line.
    /// </summary>
    public static Task<WsgiHostProcess> RunThroughAsync(string wrapper, string config, int port, params string[] wrapperArgs)
    {
        var psi = StartInfo(["run", config]);
        psi.ArgumentList.Insert(0, psi.FileName);
        for (int i = wrapperArgs.Length - 1; i >= 0; i--)
        {
            psi.ArgumentList.Insert(0, wrapperArgs[i]);
        }
        psi.FileName = wrapper;
        return LaunchAsync(psi, port, config);
    }

    /// <summary>Runs `wsgihost COMMAND ARGS` to completion (check, version): exit code, stdout, stderr.</summary>
    public static Task<(int ExitCode, string Output, string Error)> RunToEndAsync(params string[] args) =>
        RunToEndAsync(StartInfo(args));

    /// <summary>Runs any program to completion (its output redirected): exit code, stdout, stderr.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunToEndAsync(ProcessStartInfo psi)
    {
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        using var process = Process.Start(psi)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            // A program that should have ended did not: stop it, so no test leaves it behind.
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await output, await error);
    }

    private static ProcessStartInfo StartInfo(IReadOnlyList<string> args)
    {
        // WSGIHOST_TEST_CLI: the published (native) wsgihost to test instead of the built assembly (scripts/test.sh).
        string? published = NativeCli;
        var psi = new ProcessStartInfo(published ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (published == null)
        {
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "WsgiHost.Cli.dll"));
        }
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }
        if (args[0] is "serve" or "run" && !args.Contains("--python") && !args.Contains("--python-home"))
        {
            psi.ArgumentList.Add("--python");
            psi.ArgumentList.Add(Pythons.Debian);
        }
        psi.Environment.Remove("PYTHONPATH");
        return psi;
    }

    /// <summary>
    /// Runs `wsgihost serve script` and sends it <paramref name="signal"/> the moment its error
    /// log shows a line containing <paramref name="cue"/> (a point of its startup), then waits for
    /// it to end: exit code, stdout, stderr.
    /// </summary>
    public static async Task<(int ExitCode, string Output, string Error)> ServeSignalledAtAsync(string script, string cue, int signal, params string[] args)
    {
        var psi = StartInfo(["serve", script, "--host", "127.0.0.1", "--port", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture), .. args]);
        using var process = new Process { StartInfo = psi };
        var output = new StringBuilder();
        var error = new StringBuilder();
        int sent = 0;
        process.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (error)
            {
                error.AppendLine(e.Data);
            }
            // Once: a second signal could come after the server let go of its handler, as it ends.
            if (e.Data != null && e.Data.Contains(cue, StringComparison.Ordinal) && Interlocked.Exchange(ref sent, 1) == 0)
            {
                Signal(process.Id, signal);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new Xunit.Sdk.XunitException($"wsgihost did not end within 60 s (signal sent: {sent == 1}):\n{error}{output}");
        }
        process.WaitForExit();
        return (process.ExitCode, output.ToString(), error.ToString());
    }

    private static async Task<WsgiHostProcess> LaunchAsync(ProcessStartInfo psi, int port, string script)
    {
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var host = new WsgiHostProcess(process, port);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data == null)
            {
                return;
            }
            lock (host._stdout)
            {
                host._stdout.AppendLine(e.Data);
            }
            // "  mode:" is the last startup line: the URL and Python lines are captured by then.
            if (e.Data.StartsWith("  mode:", StringComparison.Ordinal))
            {
                host._ready.TrySetResult(true);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data != null)
            {
                lock (host._stderr)
                {
                    host._stderr.AppendLine(e.Data);
                }
            }
        };
        process.Exited += (_, _) => host._ready.TrySetResult(false);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Task done = await Task.WhenAny(host._ready.Task, Task.Delay(TimeSpan.FromSeconds(60)));
        if (done != host._ready.Task || !host._ready.Task.Result)
        {
            string log = host.ErrorLog + host.Output;
            await host.DisposeAsync();
            throw new InvalidOperationException($"wsgihost did not start serving {script}:\n{log}");
        }
        return host;
    }

    /// <summary>Waits until the error log contains the text (logging is asynchronous).</summary>
    public Task<string> WaitForLogAsync(string text, int timeoutMs = 30_000) =>
        WaitForAsync(() => ErrorLog, "error log", text, timeoutMs);

    /// <summary>Waits until the error log contains the text; returns the first line that does.</summary>
    public async Task<string> WaitForLogLineAsync(string text, int timeoutMs = 30_000) =>
        (await WaitForLogAsync(text, timeoutMs)).Split('\n').First(l => l.Contains(text, StringComparison.Ordinal));

    public Task<string> WaitForOutputAsync(string text, int timeoutMs = 30_000) =>
        WaitForAsync(() => Output, "output", text, timeoutMs);

    private static async Task<string> WaitForAsync(Func<string> read, string what, string text, int timeoutMs)
    {
        var sw = Stopwatch.StartNew();
        while (sw.ElapsedMilliseconds < timeoutMs)
        {
            string current = read();
            if (current.Contains(text, StringComparison.Ordinal))
            {
                return current;
            }
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException($"the {what} never contained '{text}'. It has:\n{read()}");
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Sends a signal (1 = SIGHUP) to the server process by its PID.</summary>
    public void SendSignal(int signal) => Signal(_process.Id, signal);

    /// <summary>Sends a signal to another process the test started through the server (a daemon worker), by its PID.</summary>
    public static void SendSignal(int pid, int signal) => Signal(pid, signal);

    /// <summary>
    /// Waits for a server already told to stop (a signal the test sent) to exit by itself; returns
    /// the exit code. No second SIGTERM: one that arrives after the server has let go of its
    /// handler, as it ends, kills it with the signal's default action.
    /// </summary>
    public async Task<int> WaitForExitAsync(int timeoutMs)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"wsgihost did not exit within {timeoutMs} ms; its last output:\n{string.Join('\n', (ErrorLog + Output).Split('\n').TakeLast(40))}");
        }
        return _process.ExitCode;
    }

    /// <summary>Sends SIGTERM and waits for a clean exit; returns the exit code.</summary>
    public async Task<int> StopAsync(int timeoutMs = 15_000)
    {
        if (!_process.HasExited)
        {
            Signal(_process.Id, 15);
            using var cts = new CancellationTokenSource(timeoutMs);
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
                throw new Xunit.Sdk.XunitException($"wsgihost did not exit within {timeoutMs} ms of SIGTERM");
            }
        }
        if (_process.ExitCode > 128)
        {
            // Killed by a signal while stopping (139: SIGSEGV): what it logged last is the lead.
            string[] lines = (ErrorLog + Output).Split('\n');
            throw new Xunit.Sdk.XunitException($"wsgihost died of signal {_process.ExitCode - 128} while stopping; its last output:\n{string.Join('\n', lines.TakeLast(40))}");
        }
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        _noRedirects?.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                Signal(_process.Id, 15);
                using var cts = new CancellationTokenSource(10_000);
                try
                {
                    await _process.WaitForExitAsync(cts.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync();
                }
            }
            // A server that crashed by the end of its test (SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL:
            // never a signal a test sends) fails that test, whatever it asserted: a crash at stop
            // is what a user's service manager reports as a failed unit.
            if (_process.ExitCode - 128 is 4 or 6 or 7 or 8 or 11)
            {
                string[] lines = (ErrorLog + Output).Split('\n');
                throw new Xunit.Sdk.XunitException($"wsgihost crashed (signal {_process.ExitCode - 128}) by the end of the test; its last output:\n{string.Join('\n', lines.TakeLast(40))}");
            }
        }
        catch (InvalidOperationException)
        {
            // never started
        }
        finally
        {
            _process.Dispose();
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Signal(int pid, int signal);

    // Ports handed out below the kernel's ephemeral range (ip_local_port_range, 32768-60999 by
    // default). A port that bind(0) returned is ephemeral: between this check and the server's
    // bind, the kernel may give it to an outgoing connection of a parallel test, or to another
    // bind(0) (a CI run failed on exactly that). Ports below the range are never picked by the
    // kernel, and the counter gives each one to one test only. The start depends on the process
    // id, so the unit and functional test processes do not walk the same ports.
    private const int FirstPort = 20_000;
    private const int PortCount = 12_000;
    private static int s_nextPort = Environment.ProcessId * 7919 % PortCount;

    public static int FreePort()
    {
        for (int tries = 0; tries < PortCount; tries++)
        {
            int port = FirstPort + (int)((uint)Interlocked.Increment(ref s_nextPort) % PortCount);
            if (CanBind(port))
            {
                return port;
            }
        }
        throw new InvalidOperationException($"no free TCP port on 127.0.0.1 in {FirstPort}-{FirstPort + PortCount - 1}");
    }

    private static bool CanBind(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
