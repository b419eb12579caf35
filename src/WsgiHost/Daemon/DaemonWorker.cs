using System.Collections.Concurrent;
using System.Net.Sockets;
using WsgiHost.Python.Interop;
using WsgiHost.Python.Runtime;
using WsgiHost.Python.Wsgi;

namespace WsgiHost.Daemon;

/// <summary>
/// `wsgihost worker`: one process of a daemon group. It embeds CPython, listens on a Unix
/// socket only its owner can open, and takes a connection only when one of its threads is
/// free, so excess load waits in the kernel backlog and the front's queue (mod_wsgi's
/// one-idle-thread-accepts model). A connection carries request after request (ServeAsync).
/// </summary>
internal sealed class DaemonWorker(DaemonWorkerOptions options, IErrorLog log)
{
    private readonly ConcurrentDictionary<(string Script, string Callable, string Group, bool Reload), WsgiApplication> _apps = new();
    private PythonRuntime? _python;
    private RequestInterrupter? _interrupter;
    private ReadinessLoop? _readiness;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _taken;
    private volatile bool _stopping;

    /// <summary>Open connections (those waiting for their next request are closed at once when stopping).</summary>
    private readonly ConcurrentDictionary<FrontConnection, byte> _connections = new();

    /// <summary>Serves until <paramref name="stop"/> or it restarts itself; returns the process exit code (<see cref="WorkerRestartReasons.ExitCode"/>).</summary>
    public async Task<int> RunAsync(CancellationToken stop)
    {
        if (options.Home != null)
        {
            Directory.SetCurrentDirectory(options.Home);
        }
        if (options.DisplayName != null && OperatingSystem.IsLinux())
        {
            ProcessName.Set(options.DisplayName);
        }
        IReadOnlyList<string> path = options.Home == null ? options.PythonPath : [options.Home, .. options.PythonPath];
        // The socket is made while still root; then the worker becomes user=/group= before any
        // Python runs. The socket becomes theirs: a server that became Apache's User (the same
        // identity: ServerIdentity) connects to it as that user; a root server connects anyway.
        using var listener = Listen(options.SocketPath);
        ProcessLimits.SetPriority(options);
        if (options.PythonEggs != null)
        {
            ProcessEnvironment.Set("PYTHON_EGG_CACHE", options.PythonEggs);
        }
        string? python = options.PythonExecutable;
        if (options.User != null || options.RunAsGroup != null)
        {
            // The python3 on the PATH of the server (root, still): after the switch the PATH
            // may lead elsewhere for user= (pyenv's shims in /root), and the workers would run
            // another Python, with other packages, than the one the server names at startup.
            python ??= options.PythonHome == null ? PythonInstallation.FindOnPath("python3") : null;
            var (uid, gid, userHome) = DaemonIdentity.Resolve(options.User, options.RunAsGroup);
            if (DaemonIdentity.IsRoot)
            {
                DaemonIdentity.GiveTo(options.SocketPath, uid, gid);
            }
            DaemonIdentity.Switch(uid, gid, DaemonIdentity.SupplementaryGroups(options.User, gid, options.SupplementaryGroups));
            if (userHome != null)
            {
                // As mod_wsgi: HOME is the daemon user's home, for libraries that keep files there.
                ProcessEnvironment.Set("HOME", userHome);
            }
            log.Write(ErrorLogLevel.Info, "wsgi", $"Daemon process group '{options.Group}' worker runs as uid {uid} gid {gid}.");
            if (python != null && !File.Exists(python))
            {
                throw new PythonNotFoundException(
                    $"it runs as {options.User ?? "uid " + uid}, who cannot reach the server's Python {python}: install Python where that user can read it (Debian's /usr/bin/python3, or a virtualenv outside /root) and name it with WSGIPythonHome or python-home=, or give the user access.");
            }
        }
        ProcessLimits.Apply(options);
        if (options.Locale != null)
        {
            ProcessLocale.SetAll(options.Locale, options.Group, log);
        }
        _python = PythonRuntime.Start(python, options.PythonHome, new PythonRuntimeOptions { PythonPath = path, Optimize = options.PythonOptimize, OwnGil = options.OwnGil, ApplicationInterpreters = options.ApplicationInterpreters, ProcessGroup = options.Group, MaximumProcesses = options.Processes, ThreadsPerProcess = options.Threads }, log);
        foreach (var (script, group) in options.Imports)
        {
            // Before listening, as mod_wsgi preloads before a daemon accepts requests.
            WsgiApplication.Preload(_python, script, group, log);
        }
        // Connections wait for their next request here (readability only), not on .NET's engine.
        using ReadinessLoop? readiness = ReadinessLoop.IsSupported ? new ReadinessLoop("front-events", log) : null;
        _readiness = readiness;
        // The loop, awake for the front's requests, also looks after requests that queue behind
        // blocked threads (the executor's stall watch), in place of a watchdog thread.
        var executor = readiness == null ? new WsgiExecutor(options.Threads, log) : new WsgiExecutor(options.Threads, log, readiness.WantTimer);
        readiness?.SetTimer(executor.Watch);
        using DeadlockMonitor? deadlock = options.DeadlockTimeoutSeconds > 0
            ? new DeadlockMonitor(_python, TimeSpan.FromSeconds(options.DeadlockTimeoutSeconds), options.Group, log)
            : null;
        using RequestInterrupter? interrupter = options.RequestTimeoutSeconds > 0 && options.InterruptTimeoutSeconds > 0
            ? new RequestInterrupter(_python, options.RequestTimeoutSeconds, options.Threads, options.InterruptTimeoutSeconds, options.Group, log)
            : null;
        _interrupter = interrupter;
        using CodeChangeMonitor? codeMonitor = options.ReloadOnChanges
            ? new CodeChangeMonitor(_python, file =>
            {
                log.Write(ErrorLogLevel.Info, "wsgi", $"Daemon process group '{options.Group}' worker: {file} changed (--reload-on-changes); restarting.");
                Stop(WorkerRestartReason.CodeChanged);
            }, log)
            : null;
        log.Write(ErrorLogLevel.Info, "wsgi", $"Daemon process group '{options.Group}' worker started (pid {Environment.ProcessId}, {options.Threads} threads, {PythonRuntime.Describe(_python.Installation)}).");
        using var slots = new SemaphoreSlim(options.Threads);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stop);
        _ = _done.Task.ContinueWith(_ => stopping.Cancel(), TaskScheduler.Default);
        using Timer? lifetime = Recycler(stopping.Token);
        using var idleTrim = new Server.IdleMemoryTrim(() => (Interlocked.Read(ref _ended), Volatile.Read(ref _active)), log);
        try
        {
            while (true)
            {
                await slots.WaitAsync(stopping.Token).ConfigureAwait(false);
                Socket connection;
                try
                {
                    connection = await listener.AcceptAsync(stopping.Token).ConfigureAwait(false);
                }
                catch
                {
                    slots.Release();
                    throw;
                }
                DaemonSocketBuffers.Apply(connection, options.SendBufferSize, options.ReceiveBufferSize);
                _ = Task.Run(() => ServeAsync(connection, executor, slots));
            }
        }
        catch (OperationCanceledException)
        {
        }
        if (_done.Task.IsCompleted && options.MaximumRequests > 0 && _taken >= options.MaximumRequests)
        {
            log.Write(ErrorLogLevel.Info, "wsgi", $"Daemon process group '{options.Group}' worker reached maximum-requests={options.MaximumRequests}; restarting.");
        }
        _stopping = true;
        // Stop taking connections, let the running requests finish, then end Python.
        listener.Close();
        try
        {
            File.Delete(options.SocketPath);
        }
        catch (UnauthorizedAccessException)
        {
            // A worker that switched users cannot remove it; the next worker (root) or the server does.
        }
        CloseIdleConnections();
        // graceful-timeout for the running requests, then shutdown-timeout more; after that the
        // worker ends without them, as mod_wsgi's reaper ends the process.
        // SIGUSR1's eviction has eviction-timeout= instead, when set, as in mod_wsgi.
        (TimeSpan drainFor, string drainOption) = Volatile.Read(ref _exitCode) == WorkerRestartReason.Eviction.ExitCode() && options.EvictionTimeoutSeconds > 0
            ? (TimeSpan.FromSeconds(options.EvictionTimeoutSeconds), "eviction-timeout")
            : (options.GracefulTimeout, "graceful-timeout");
        var graceful = DateTime.UtcNow + drainFor;
        var deadline = graceful + TimeSpan.FromSeconds(Math.Max(1, options.ShutdownTimeoutSeconds));
        bool warned = false, drained = true;
        for (int returned = 0; returned < options.Threads;)
        {
            if (await slots.WaitAsync(TimeSpan.FromMilliseconds(100)).ConfigureAwait(false))
            {
                returned++;
                continue;
            }
            // A connection may have gone idle since the last pass.
            CloseIdleConnections();
            if (DateTime.UtcNow > graceful && !warned)
            {
                warned = true;
                log.Write(ErrorLogLevel.Warning, "wsgi", $"Daemon process group '{options.Group}': requests still running after {drainOption}={drainFor.TotalSeconds:0} s; they get shutdown-timeout={options.ShutdownTimeoutSeconds} s more.");
            }
            if (DateTime.UtcNow > deadline)
            {
                drained = false;
                break;
            }
        }
        // The monitor stops first: Python's own shutdown must not look like a held GIL.
        deadlock?.Dispose();
        codeMonitor?.Dispose();
        interrupter?.Dispose();
        if (!drained || !executor.Stop(TimeSpan.FromSeconds(Math.Max(1, options.ShutdownTimeoutSeconds)), CancellationToken.None))
        {
            // Finalising Python would wait for those requests, or pull the interpreter from
            // under them: the process ends with them instead.
            log.Write(ErrorLogLevel.Warning, "wsgi", $"Daemon process group '{options.Group}': requests still running after shutdown-timeout; the worker ends without finishing them.");
            return Volatile.Read(ref _exitCode);
        }
        _python.Dispose();
        return Volatile.Read(ref _exitCode);
    }

    private static Socket Listen(string socketPath)
    {
        File.Delete(socketPath);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        // Only the server's user may connect (the secret in each request is the second check).
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        socket.Listen(100);
        return socket;
    }

    /// <summary>
    /// One connection from the front, reused for request after request (the front keeps at
    /// most as many per worker as it has threads). It ends when the front closes it, on a bad
    /// frame, or once the worker stops (maximum-requests, a changed script, restart-interval),
    /// after the request in hand; a connection that ends between requests says so with
    /// <see cref="DaemonProtocol.NotTaken"/>, so the front sends what it sent there elsewhere.
    /// </summary>
    private async Task ServeAsync(Socket socket, WsgiExecutor executor, SemaphoreSlim slots)
    {
        FrontConnectionInput? input;
        try
        {
            input = _readiness == null ? null : new FrontConnectionInput(socket, _readiness);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // Added to the readiness loop as the worker stops (or epoll refused it): closed
            // with nothing read, so the front sends its request elsewhere (a reset, not a 502).
            socket.Dispose();
            slots.Release();
            return;
        }
        var connection = new FrontConnection(socket, input);
        _connections[connection] = 0;
        try
        {
            // The streams never close the socket: connection.End does, or the stop that
            // declines the connection meanwhile, once its NotTaken is out. Writes are blocking
            // calls, disposal included (a pending flush must not start an operation of .NET's
            // socket engine, see FrontConnectionInput).
            using var network = new NetworkStream(socket, ownsSocket: false);
            using var output = new BufferedStream(network, 64 * 1024);
            // Reads through their own buffer: the head, and a small body with its end marker,
            // usually arrive in one read. Never written through (writes go to `output`).
            using Stream stream = (Stream?)input ?? new BufferedStream(network, 16 * 1024);
            await ServeRequestsAsync(connection, stream, output, executor).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            // The front went away (client disconnect): the gateway has already closed the iterable.
        }
        finally
        {
            // Between requests: anything the front sent (or sends) here was not taken (NotTaken).
            connection.End();
            _connections.TryRemove(connection, out _);
            slots.Release();
        }
    }

    /// <summary>Serves the connection's requests until it must end; returns with the connection between requests, or mid-request when it is broken.</summary>
    private async Task ServeRequestsAsync(FrontConnection connection, Stream stream, BufferedStream output, WsgiExecutor executor)
    {
        // A typical head is 2 KB; a larger one is read into an array of its own.
        byte[] headBuffer = new byte[8 * 1024];
        var strings = new FrameStrings();
        while (!_stopping)
        {
            List<KeyValuePair<string, string>> environ;
            DaemonRouting routing;
            long arrived;
            byte[]? wholeBody = null;
            try
            {
                // A head whose first bytes are still to come was in the socket by the stamp of
                // the receive that gets them (FrontConnectionInput.Announced): usually the
                // readiness loop's, of the notification the read waited for. The request counts
                // as arrived then, so requests the loop announced together share one look at
                // what changed on disk (FileChangeNotifier.Poll) instead of one look each.
                FrontConnectionInput? announcedBy = connection.Input is { IsEmpty: true } input ? input : null;
                // Awaited: an idle connection holds no thread while it waits for the next request.
                ReadOnlyMemory<byte> head = await DaemonProtocol.ReadHeadAsync(stream, headBuffer, CancellationToken.None).ConfigureAwait(false);
                arrived = announcedBy?.Announced ?? System.Diagnostics.Stopwatch.GetTimestamp();
                environ = DaemonProtocol.ParseRequest(head.Span, strings);
                routing = DaemonRouting.Read(environ);
                if (routing.BodyComplete)
                {
                    // Its whole body (often none) came with the head: read now, so that once the
                    // app runs nothing the front sent is unread. A worker that then dies closes a
                    // drained connection (the front reads the end, 502) and never one with data
                    // in it (the front reads a reset: the request was not read, and goes elsewhere).
                    wholeBody = await DaemonProtocol.ReadWholeBodyAsync(stream).ConfigureAwait(false);
                }
            }
            catch (EndOfStreamException)
            {
                return; // the front closed an idle connection
            }
            catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.Shutdown })
            {
                return; // the front reset it (its client went away mid-response): not a malformed frame
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException && connection.IsDeclined)
            {
                return; // the worker is stopping and closed it as idle while this read waited
            }
            catch (Exception e) when (e is IOException or InvalidDataException)
            {
                log.Write(ErrorLogLevel.Error, "wsgi", $"Daemon process group '{options.Group}': dropped a malformed request frame from {PeerCredentials.Describe(connection.Socket)} ({e.Message}).");
                connection.Break();
                return;
            }
            if (!connection.TryTake())
            {
                // The worker is stopping and declined this connection: its NotTaken covers the
                // request just read, and the socket is left to the decline (FrontConnection).
                return;
            }
            if (!CryptographicEquals(routing.Secret, options.Secret))
            {
                // Only the server (same user, socket mode 0600) can get here: anything else is worth an operator's look.
                log.Write(ErrorLogLevel.Error, "wsgi",
                    $"Daemon process group '{options.Group}': refused a connection from {PeerCredentials.Describe(connection.Socket)}: its request did not carry this server's secret (closed without running anything).");
                connection.Break();
                return;
            }
            string script = routing.Script;
            bool reloading = routing.ScriptReloading;
            if (reloading && ScriptChanged(script, arrived))
            {
                // mod_wsgi's daemon-mode reload: a changed script restarts the process, so the
                // whole application (not just the script module) starts fresh.
                log.Write(ErrorLogLevel.Info, "wsgi", $"Daemon process group '{options.Group}': '{script}' changed; restarting the worker to load it afresh.");
                Stop(WorkerRestartReason.ScriptChanged);
                connection.Release();
                return; // not taken: the front sends it to the new worker
            }
            // Stopping (restart-interval, inactivity-timeout) since the request left the front, or
            // maximum-requests reached: not taken, the front sends it to the new worker.
            if (_stopping || !TakeRequest())
            {
                connection.Release();
                return;
            }
            var key = (script, routing.Callable, routing.ApplicationGroup, reloading);
            if (!_apps.TryGetValue(key, out WsgiApplication? app))
            {
                // Creating it may create an interpreter, which waits for the GIL: not on the
                // readiness loop's thread this usually runs on (FrontConnectionInput).
                app = await Task.Run(() => _apps.GetOrAdd(key, CreateApplication)).ConfigureAwait(false);
            }
            output.WriteByte(DaemonProtocol.Accepted);
            if (wholeBody == null)
            {
                // The front holds the body back until the request is taken (it could still go elsewhere).
                output.Flush();
            }
            var exchange = new WorkerExchange(stream, output, environ, routing.Head, routing.Client, wholeBody, connection.Socket, routing.XSendFile);
            Interlocked.Increment(ref _active);
            _interrupter?.Started(exchange, app);
            try
            {
                // As of its arrival: the script check just made is not repeated on the WSGI thread.
                await executor.RunAsync(app, exchange, arrived).ConfigureAwait(false);
                exchange.Complete();
            }
            finally
            {
                _interrupter?.Ended(exchange);
                Interlocked.Decrement(ref _active);
                Interlocked.Increment(ref _ended);
                Volatile.Write(ref _lastActivityTicks, DateTime.UtcNow.Ticks);
            }
            CheckStartup(app);
            if (exchange.AbortReason != null || !exchange.DrainBody())
            {
                return; // the connection is not in a known state: the front drops it too
            }
            connection.Release();
        }
    }

    private WsgiApplication CreateApplication((string Script, string Callable, string Group, bool Reload) k) => WsgiApplication.Create(_python!, new WsgiApplicationOptions
        {
            ScriptPath = k.Script,
            CallableObject = k.Callable.Length == 0 ? "application" : k.Callable,
            ApplicationGroup = k.Group,
            ProcessGroup = options.Group,
            // The worker restarts instead (ServeAsync); the module is never re-executed in place.
            ScriptReloading = false,
            ReloadsByRestart = k.Reload,
            MultiThread = options.Threads != 1,
            MultiProcess = options.MultiProcess,
            // As mod_wsgi: one thread that serves one request, then is replaced.
            RunOnce = options.Threads == 1 && options.MaximumRequests == 1,
            MemoryErrorHint = ProcessLimits.MemoryErrorHint(options),
        }, log);

    /// <summary>
    /// Closes the connections that wait for a request, each with <see cref="DaemonProtocol.NotTaken"/>,
    /// so stopping does not wait for the front to close them.
    /// </summary>
    private void CloseIdleConnections()
    {
        foreach (FrontConnection connection in _connections.Keys)
        {
            if (connection.TryClose())
            {
                // Its serving task may be reading a request right now: it will find the
                // connection declined, and leaves the socket to Decline (NotTaken, then closed).
                connection.Decline();
            }
        }
    }

    /// <summary>
    /// True when the script's mtime differs from the one it had when this worker first saw it
    /// (one stat per request, as mod_wsgi's WSGIScriptReloading), as of the request's arrival.
    /// </summary>
    private bool ScriptChanged(string script, long arrived)
    {
        (FileTimes times, DateTime? first) = _scriptTimes.GetOrAdd(script, static s =>
        {
            var times = new FileTimes(s);
            return (times, times.LastWriteUtc());
        });
        return times.LastWriteUtc(arrived) != first;
    }

    private readonly ConcurrentDictionary<string, (FileTimes Times, DateTime? First)> _scriptTimes = new(StringComparer.Ordinal);

    /// <summary>
    /// SIGUSR2 from the server (after its SIGUSR1, logrotate): reopens the log files. A worker that switched to user=/group=
    /// cannot open the server's log files again (that is the point of switching); it restarts
    /// gracefully instead, and the new worker opens them as root before it switches.
    /// </summary>
    public void ReopenLogs(bool hasLogFiles)
    {
        if (!hasLogFiles)
        {
            return;
        }
        if (options.User == null && options.RunAsGroup == null)
        {
            Logging.LogFile.ReopenAll();
            return;
        }
        if (!_stopping)
        {
            log.Write(ErrorLogLevel.Info, "wsgi", $"Daemon process group '{options.Group}' worker restarts to reopen its log files (it runs as another user and may not open them itself).");
            Stop(WorkerRestartReason.LogReopen);
        }
    }

    /// <summary>SIGUSR1 sent to the worker: mod_wsgi's eviction, a restart once its requests finish.</summary>
    public void Evict()
    {
        if (!_stopping)
        {
            log.Write(ErrorLogLevel.Info, "wsgi", $"Daemon process group '{options.Group}' worker: process eviction requested (SIGUSR1), waiting for requests to complete.");
            Stop(WorkerRestartReason.Eviction);
        }
    }

    /// <summary>SIGXCPU: cpu-time-limit= reached; the worker restarts once its requests finish, as mod_wsgi's.</summary>
    public void CpuTimeLimitReached()
    {
        if (!_stopping)
        {
            log.Write(ErrorLogLevel.Info, "wsgi", $"Daemon process group '{options.Group}' worker exceeded cpu-time-limit={options.CpuTimeLimitSeconds} s of CPU; restarting once its requests finish.");
            Stop(WorkerRestartReason.CpuTimeLimit);
        }
    }

    /// <summary>Stops taking requests; the running ones finish and the process exits for the front to replace.</summary>
    private void Stop(WorkerRestartReason reason)
    {
        // The first reason wins: it is the one the exit code reports to the front.
        Interlocked.CompareExchange(ref _exitCode, reason.ExitCode(), 0);
        _stopping = true;
        _done.TrySetResult();
    }

    /// <summary>0 (asked to stop) until the worker decides to restart itself; then the reason's exit code.</summary>
    private int _exitCode;

    /// <summary>
    /// restart-interval and inactivity-timeout: a once-a-second check that ends the worker
    /// gracefully when it has lived long enough or has been idle too long; and startup-timeout,
    /// which mod_wsgi's monitor thread checks the same way, so the worker is fresh before the
    /// next request comes rather than failing it too.
    /// </summary>
    private Timer? Recycler(CancellationToken stopping)
    {
        if (options.RestartIntervalSeconds <= 0 && options.InactivityTimeoutSeconds <= 0 && options.StartupTimeoutSeconds <= 0)
        {
            return null;
        }
        DateTime started = DateTime.UtcNow;
        return new Timer(_ =>
        {
            if (StartupTimedOut() is { } app && !stopping.IsCancellationRequested)
            {
                StopForStartup(app);
                return;
            }
            if (options.RestartIntervalSeconds <= 0 && options.InactivityTimeoutSeconds <= 0)
            {
                return;
            }
            DateTime now = DateTime.UtcNow;
            long lastActivity = Volatile.Read(ref _lastActivityTicks);
            (WorkerRestartReason Reason, string Text)? reason = options.RestartIntervalSeconds > 0 && now - started >= TimeSpan.FromSeconds(options.RestartIntervalSeconds)
                ? (WorkerRestartReason.RestartInterval, $"restart-interval={options.RestartIntervalSeconds} s")
                : options.InactivityTimeoutSeconds > 0 && Volatile.Read(ref _active) == 0 && lastActivity != 0
                    && now - new DateTime(lastActivity, DateTimeKind.Utc) >= TimeSpan.FromSeconds(options.InactivityTimeoutSeconds)
                    ? (WorkerRestartReason.InactivityTimeout, $"inactivity-timeout={options.InactivityTimeoutSeconds} s")
                    : null;
            if (reason != null && !stopping.IsCancellationRequested && !_stopping)
            {
                log.Write(ErrorLogLevel.Info, "wsgi", $"Daemon process group '{options.Group}' worker reached {reason.Value.Text}; restarting.");
                Stop(reason.Value.Reason);
            }
        }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>
    /// When the last request ended; 0 until the first one has. As in mod_wsgi, whose idle timer
    /// starts with the first request: inactivity-timeout gives back what requests made a
    /// worker take, and a worker that has served none has nothing to give back. Counting from
    /// the start restarted every idle worker each timeout, around the clock.
    /// </summary>
    private long _lastActivityTicks;
    private int _active;

    /// <summary>Requests run to their end (IdleMemoryTrim counts them).</summary>
    private long _ended;

    /// <summary>
    /// startup-timeout: an application that still has not loaded this long after the first
    /// attempt (Django cannot import again after a failed import) restarts the worker, so the
    /// next attempt runs in a fresh process (mod_wsgi's behaviour).
    /// </summary>
    private void CheckStartup(WsgiApplication app)
    {
        if (options.StartupTimeoutSeconds <= 0 || app.Script.IsLoaded)
        {
            return;
        }
        Interlocked.CompareExchange(ref _firstLoadAttemptTicks, DateTime.UtcNow.Ticks, 0);
        Interlocked.CompareExchange(ref _notLoaded, app, null);
        if (StartupTimedOut() is { } late)
        {
            StopForStartup(late);
        }
    }

    /// <summary>The application whose load failed first, when it still has not loaded startup-timeout after that; else null.</summary>
    private WsgiApplication? StartupTimedOut()
    {
        WsgiApplication? app = Volatile.Read(ref _notLoaded);
        long first = Interlocked.Read(ref _firstLoadAttemptTicks);
        return app != null && !app.Script.IsLoaded && first != 0 && !_stopping
            && DateTime.UtcNow.Ticks - first >= TimeSpan.FromSeconds(options.StartupTimeoutSeconds).Ticks ? app : null;
    }

    private void StopForStartup(WsgiApplication app)
    {
        // Once: the timer and a request's end may both see it.
        if (Interlocked.Exchange(ref _notLoaded, null) == null)
        {
            return;
        }
        log.Write(ErrorLogLevel.Error, "wsgi",
            $"Daemon process group '{options.Group}': '{app.Options.ScriptPath}' has not loaded within startup-timeout={options.StartupTimeoutSeconds} s of its first failed attempt; restarting the worker.");
        Stop(WorkerRestartReason.StartupTimeout);
    }

    private long _firstLoadAttemptTicks;

    /// <summary>The application that failed to load first (startup-timeout counts from then); null when none has, or once acted on.</summary>
    private WsgiApplication? _notLoaded;

    /// <summary>Counts a request against maximum-requests; false once the worker is done taking them.</summary>
    private bool TakeRequest()
    {
        if (options.MaximumRequests == 0)
        {
            return true;
        }
        int taken = Interlocked.Increment(ref _taken);
        if (taken == options.MaximumRequests)
        {
            Stop(WorkerRestartReason.MaximumRequests);
        }
        return taken <= options.MaximumRequests;
    }

    // Over the strings' own UTF-16 code units: equal strings are equal there too, and a
    // request no longer allocates two arrays to compare them.
    private static bool CryptographicEquals(string a, string b) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(a.AsSpan()), System.Runtime.InteropServices.MemoryMarshal.AsBytes(b.AsSpan()));
}
