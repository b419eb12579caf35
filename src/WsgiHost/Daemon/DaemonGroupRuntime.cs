using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using WsgiHost.Configuration.Model;
using WsgiHost.Python.Runtime;
using WsgiHost.Server;

namespace WsgiHost.Daemon;

/// <summary>
/// One WSGIDaemonProcess group seen from the front: it starts `processes` workers, replaces
/// one that exits (with a back-off when it dies young, and the reason in the log), and
/// forwards requests to the least busy worker over its Unix socket, streaming the body and
/// the response both ways. A request waits for a free thread in the group; a worker that dies
/// fails only its own requests (502).
/// </summary>
internal sealed class DaemonGroupRuntime : IAsyncDisposable
{
    private readonly DaemonGroupConfig _config;
    private readonly WorkerLauncher _launcher;
    private readonly IReadOnlyList<string> _workerArguments;
    private readonly IErrorLog _log;
    private readonly string _secret = Convert.ToHexString(WsgiHost.Server.KernelRandom.GetBytes(32));
    private readonly Slot[] _slots;
    private readonly RequestGate _gate;

    /// <summary>How long a request may wait for its response: request-timeout as mod_wsgi 6 counts it (RequestTimeoutRule), plus interrupt-timeout.</summary>
    private readonly TimeSpan _responseTimeout;
    private volatile bool _stopping;
    private long _requestIds;
    private Timer? _idleSweep;

    /// <summary>
    /// One place of the group's processes= count. Its worker is replaced when it ends, or at
    /// once when it starts to stop while requests still run on it (<see cref="Retire"/>): the
    /// successor takes new requests while the old one drains, as mod_wsgi's draining daemon
    /// keeps serving them.
    /// </summary>
    private sealed class Slot(int index, string socketBase)
    {
        public int Index { get; } = index;

        private int _sequence;

        /// <summary>A socket path of its own for each worker, so a successor can listen while its predecessor drains.</summary>
        public string NextSocketPath() => $"{socketBase}.{Interlocked.Increment(ref _sequence)}.sock";

        /// <summary>The worker new requests go to; null before the first start.</summary>
        public volatile Worker? Current;

        /// <summary>Workers that drain after their successor took the slot (under the slot's lock).</summary>
        public List<Worker> Draining { get; } = [];

        public int InFlight;

        /// <summary>Connections to the current worker between requests, reused (a worker serves one request at a time on each).</summary>
        public DaemonConnectionPool Idle { get; } = new();

        /// <summary>Drops pooled connections (the worker was replaced: they lead nowhere).</summary>
        public void DropIdle() => Idle.CloseAll();
    }

    /// <summary>One worker process of a slot.</summary>
    internal sealed class Worker(Process process, string socketPath, Task<string> exit)
    {
        public Process Process { get; } = process;

        public int Pid { get; } = process.Id;

        public string SocketPath { get; } = socketPath;

        public DateTime StartedAt { get; } = DateTime.UtcNow;

        /// <summary>Completes with how the worker ended (<see cref="WorkerExit.Describe"/>).</summary>
        public Task<string> Exit { get; } = exit;

        /// <summary>Why the server sent it SIGKILL itself, if it did.</summary>
        public string? KilledBy { get; set; }

        /// <summary>Why the front retired it (request-timeout), for the restart metrics; null when it ended itself.</summary>
        public WorkerRestartReason? EndedBy { get; set; }

        /// <summary>Its replacement was counted when it was retired (<see cref="Restarted"/>).</summary>
        public bool Counted { get; set; }

        /// <summary>The front connected to it once: a refused connection after that means it stopped listening (it is stopping).</summary>
        public volatile bool Reached;

        /// <summary>The environs of the requests sent to it and not answered, for the log when it dies (<see cref="Describe"/>).</summary>
        public System.Collections.Concurrent.ConcurrentDictionary<long, IReadOnlyList<KeyValuePair<string, string>>> Requests { get; } = new();
    }

    /// <param name="generation">Part of the socket names, so a group rolled by SIGHUP never shares a path with the one it replaces.</param>
    public DaemonGroupRuntime(DaemonGroupConfig config, string socketDirectory, WorkerLauncher launcher, IReadOnlyList<string> workerArguments, IErrorLog log, int generation = 0)
    {
        _config = config;
        _launcher = launcher;
        _workerArguments = workerArguments;
        _log = log;
        _slots = [.. Enumerable.Range(0, config.EffectiveProcesses).Select(i => new Slot(i, Path.Combine(socketDirectory, $"{SafeName(config.Name)}.{generation}.{i}")))];
        ScriptOwner = ScriptOwnership.For(config);
        _responseTimeout = RequestTimeoutRule.PerRequest(config.RequestTimeoutSeconds, config.Threads) + TimeSpan.FromSeconds(config.InterruptTimeoutSeconds);
        _gate = new RequestGate(config.EffectiveProcesses * Math.Max(1, config.Threads),
            config.QueueTimeoutSeconds > 0 ? TimeSpan.FromSeconds(config.QueueTimeoutSeconds) : Timeout.InfiniteTimeSpan,
            config.ListenBacklog, TimeSpan.FromSeconds(Math.Max(1, config.ConnectTimeoutSeconds)));
    }

    public string Name => _config.Name;

    public DaemonGroupConfig Config => _config;

    /// <summary>script-user= or script-group=: each request's script is checked first; null without them.</summary>
    public ScriptOwnership? ScriptOwner { get; }

    /// <summary>Pass the workers' standard error (their log lines) on to <see cref="WorkersLog"/>.</summary>
    public bool RelayStandardError { get; init; }

    /// <summary>response-socket-timeout= (else socket-timeout=, else Timeout): the writes of a response to its client (<see cref="Server.StalledClient"/>).</summary>
    public TimeSpan IoTimeout { get; init; } = Server.RequestOptions.DefaultIoTimeout;

    /// <summary>
    /// Apache's Timeout: each read of a request body from the client (<see cref="Server.BodyReadTimeout"/>),
    /// which mod_wsgi leaves to Apache's core; socket-timeout= is the daemon socket's (QA: a
    /// client pausing 4.5 s mid-upload got 408 "for 3 s (Timeout)" under socket-timeout=3, Timeout 60).
    /// </summary>
    public TimeSpan ClientTimeout { get; init; } = Server.RequestOptions.DefaultIoTimeout;

    /// <summary>
    /// socket-timeout=, else Apache's Timeout: how long the front waits for the worker's
    /// response head, and then for each read of its body, as mod_wsgi bounds each read of the
    /// daemon socket ("Timeout when reading response headers from daemon process": 504).
    /// </summary>
    public TimeSpan SocketTimeout { get; init; } = Server.RequestOptions.DefaultIoTimeout;

    /// <summary>Where the workers' own lines go when relayed: the error log of the virtual host the group was declared in; null: the server's.</summary>
    public IErrorLog? WorkersLog { get; init; }

    /// <summary>Called when a worker exits and a new one is started, with the reason.</summary>
    public Action<WorkerRestartReason>? Restarted { get; init; }

    /// <summary>PIDs of the running workers (for the startup lines and tests).</summary>
    public IEnumerable<int> Pids => Workers.Select(w => w.Pid);

    /// <summary>The running workers by slot (the slot number is stable across restarts, the PID is not).</summary>
    public IEnumerable<(int Slot, int Pid)> Workers => _slots
        .Select(s => (s.Index, Worker: s.Current))
        .Where(w => w.Worker != null && !w.Worker.Process.HasExited)
        .Select(w => (w.Index, w.Worker!.Pid));

    /// <summary>Requests waiting for a free thread in the group's workers.</summary>
    public int QueueLength => _gate.Waiting;

    /// <summary>
    /// SIGHUP, as Apache's graceful restart restarts mod_wsgi's daemon processes: each worker is
    /// replaced by a fresh one, which loads the application's code anew and takes new requests
    /// at once, while the old one finishes its own (SIGTERM: graceful).
    /// </summary>
    public void RestartWorkers()
    {
        foreach (Slot slot in _slots)
        {
            if (slot.Current is { } worker && Retire(slot, worker, WorkerRestartReason.Reload))
            {
                _ = Kill(worker.Pid, 15);
            }
        }
    }

    public void Signal(int signal)
    {
        foreach (int pid in Pids)
        {
            _ = Kill(pid, signal);
        }
    }

    public void Start()
    {
        foreach (Slot slot in _slots)
        {
            Spawn(slot);
        }
        // Twice per timeout: a connection closes 10 to 15 s after its last request.
        TimeSpan every = DaemonConnectionPool.IdleTimeout / 2;
        _idleSweep = new Timer(static group => ((DaemonGroupRuntime)group!).CloseIdleConnections(), this, every, every);
    }

    /// <summary>Closes the connections to the workers that no request took for <see cref="DaemonConnectionPool.IdleTimeout"/>.</summary>
    private void CloseIdleConnections()
    {
        long now = Environment.TickCount64;
        foreach (Slot slot in _slots)
        {
            if (_stopping)
            {
                return;
            }
            slot.Idle.CloseIdle(now, DaemonConnectionPool.IdleTimeout);
        }
    }

    private void Spawn(Slot slot)
    {
        string socketPath = slot.NextSocketPath();
        ProcessStartInfo start = _launcher([.. _workerArguments, "--socket", socketPath]);
        start.UseShellExecute = false;
        start.Environment[DaemonKeys.SecretVariable] = _secret;
        // lang= and locale=, as mod_wsgi sets them before Python starts (its str/bytes defaults follow).
        if (_config.Lang != null)
        {
            start.Environment["LANG"] = _config.Lang;
        }
        if (_config.Locale != null)
        {
            start.Environment["LC_ALL"] = _config.Locale;
        }
        start.RedirectStandardError = RelayStandardError;
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var exit = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        Worker? worker = null;
        process.Exited += (_, _) => OnExited(slot, worker!, exit);
        if (RelayStandardError)
        {
            process.ErrorDataReceived += (_, e) => Relay(e.Data);
        }
        lock (slot)
        {
            // Under the lock: OnExited, which takes it too, sees the worker set.
            process.Start();
            worker = new Worker(process, socketPath, exit.Task);
            slot.Current = worker;
        }
        if (RelayStandardError)
        {
            process.BeginErrorReadLine();
        }
    }

    /// <summary>
    /// A worker that is stopping while requests may still run on it (it declined a request, or
    /// stopped listening; or request-timeout recycles it): its successor starts now and takes
    /// new requests while it drains, instead of after it exits. mod_wsgi's draining daemon
    /// keeps taking requests; a fresh process taking them serves them as soon, and the one
    /// that drains ends sooner.
    /// </summary>
    /// <returns>Whether a successor took the slot now.</returns>
    private bool Retire(Slot slot, Worker worker, WorkerRestartReason? reason)
    {
        lock (slot)
        {
            if (!ReferenceEquals(slot.Current, worker) || _stopping || worker.Process.HasExited)
            {
                return false;
            }
            worker.EndedBy ??= reason;
            slot.Draining.Add(worker);
            slot.DropIdle();
            try
            {
                Spawn(slot);
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                _log.Write(ErrorLogLevel.Error, "wsgi", $"Daemon process group '{_config.Name}': cannot start a worker: {e.Message}");
                return false;
            }
        }
        if (reason is { } known)
        {
            // Replaced now: counted now (a reason the worker gives itself is known once it exits).
            worker.Counted = true;
            Restarted?.Invoke(known);
        }
        _log.Write(ErrorLogLevel.Info, "wsgi",
            $"Daemon process group '{_config.Name}' worker {slot.Index} (pid {worker.Pid}) is stopping{(reason is { } r ? $" ({r.Label()})" : "")}; worker pid {slot.Current?.Pid} takes new requests while it finishes its own.");
        return true;
    }

    /// <summary>A worker's standard error line into the front's log: as it is into an Apache error log, else (an ILogger) taken apart into level, module and message.</summary>
    private void Relay(string? line)
    {
        if (line == null)
        {
            return;
        }
        IErrorLog log = WorkersLog ?? _log;
        if (log is Logging.ApacheErrorLog errorLog)
        {
            errorLog.WriteFormatted(line);
        }
        else if (Logging.ApacheErrorLog.TryParseLine(line, out ErrorLogLevel level, out string module, out string message))
        {
            log.Write(level, module, message);
        }
        else
        {
            log.Write(ErrorLogLevel.Error, "wsgi", $"Daemon process group '{_config.Name}': {line}");
        }
    }

    private void OnExited(Slot slot, Worker worker, TaskCompletionSource<string> exit)
    {
        int code = worker.Process.ExitCode;
        string how = WorkerExit.Describe(code, worker.KilledBy) + MemoryLimitHint(code) + CpuTimeLimitHint(code, worker.KilledBy);
        // Taken before the requests learn how it ended: they stop being in flight right after.
        string serving = worker.Requests.IsEmpty ? "" : $" while serving {string.Join(", ", worker.Requests.Values.Select(Describe))}";
        bool current;
        lock (slot)
        {
            current = ReferenceEquals(slot.Current, worker);
            slot.Draining.Remove(worker);
        }
        if (current)
        {
            slot.DropIdle();
        }
        exit.TrySetResult(how);
        try
        {
            // Its own work, but a worker killed outright or running as another user leaves it.
            File.Delete(worker.SocketPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        if (_stopping)
        {
            return;
        }
        TimeSpan lived = DateTime.UtcNow - worker.StartedAt;
        WorkerRestartReason reason = worker.EndedBy ?? WorkerRestartReasons.FromExitCode(code);
        bool planned = code == 0 || WorkerRestartReasons.IsPlanned(code);
        if (!worker.Counted)
        {
            Restarted?.Invoke(reason);
        }
        if (!current)
        {
            _log.Write(planned ? ErrorLogLevel.Info : ErrorLogLevel.Error, "wsgi",
                $"Daemon process group '{_config.Name}' worker {slot.Index} (pid {worker.Pid}) {how} ({reason.Label()}) after {lived.TotalSeconds:0.#} s{serving}; its successor took its place already.");
            worker.Process.Dispose();
            return;
        }
        _log.Write(planned ? ErrorLogLevel.Info : ErrorLogLevel.Error, "wsgi",
            $"Daemon process group '{_config.Name}' worker {slot.Index} (pid {worker.Pid}) {how} ({reason.Label()}) after {lived.TotalSeconds:0.#} s{serving}; starting a new one.");
        // A worker that dies young would die again at once: do not spin (mod_wsgi waits too).
        TimeSpan delay = !planned && lived < TimeSpan.FromSeconds(5) ? TimeSpan.FromSeconds(1) : TimeSpan.Zero;
        _ = Task.Run(async () =>
        {
            await Task.Delay(delay).ConfigureAwait(false);
            if (!_stopping && ReferenceEquals(slot.Current, worker))
            {
                try
                {
                    Spawn(slot);
                }
                catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
                {
                    _log.Write(ErrorLogLevel.Error, "wsgi", $"Daemon process group '{_config.Name}': cannot start a worker: {e.Message}");
                }
            }
            if (!ReferenceEquals(slot.Current, worker))
            {
                worker.Process.Dispose();
            }
        });
    }

    /// <summary>
    /// For a worker that aborted or crashed under memory-limit= or virtual-memory-limit=: the
    /// limit may be why (the runtime itself refused memory), which the signal alone does not say.
    /// </summary>
    private string MemoryLimitHint(int code)
    {
        if (code is not (128 + 6 or 128 + 11))
        {
            return "";
        }
        string limits = string.Join(" and ", new[] { "memory-limit", "virtual-memory-limit" }
            .Where(o => _config.Options.TryGetValue(o, out string? v) && v != "0").Select(o => $"{o}={_config.Options[o]}"));
        return limits.Length == 0 ? ""
            : $"; with {limits} the worker may have been refused memory it needed (the application's own allocations raise MemoryError): raise the limit if the application needs that much";
    }

    private string CpuTimeLimitHint(int code, string? killedBy) =>
        _config.Options.TryGetValue("cpu-time-limit", out string? limit) && long.TryParse(limit, out long seconds)
            ? WorkerExit.CpuTimeLimitHint(code, killedBy, seconds, _config.GracefulTimeoutSeconds, _config.ShutdownTimeoutSeconds)
            : "";

    /// <summary>Sends one request to a worker and its response to the client. Returns the body bytes sent.</summary>
    /// <remarks>
    /// This and <see cref="ExchangeAsync"/> keep their state machines in pools: allocated afresh
    /// they were about 40% of the sampled bytes of the front's 3,053 a request (daemon hello,
    /// <c>bench/allocs.sh daemon --trace</c>); pooled, 2,580 (with 32 requests in flight the
    /// pools do not cover every one).
    /// </remarks>
    /// <param name="errorOverride">
    /// WSGIErrorOverride On: an error status from the app (400 and up) is answered with the
    /// site's ErrorDocument for it, else the server's own error page, as mod_wsgi hands such a
    /// status back to Apache in daemon mode; the app's body is read off and dropped.
    /// </param>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<long> ForwardAsync(HttpContext context, IReadOnlyList<KeyValuePair<string, string>> environ, IErrorLog log, string client, bool errorOverride = false)
    {
        CancellationToken aborted = context.RequestAborted;
        long requestId = Interlocked.Increment(ref _requestIds);
        switch (await _gate.EnterAsync(aborted).ConfigureAwait(false))
        {
            case GateEntry.QueueTimeout:
                log.Write(ErrorLogLevel.Error, "wsgi", $"[client {client}] Queue timeout expired for WSGI daemon process '{_config.Name}'.");
                return await WsgiDispatch.ErrorAsync(context, 504).ConfigureAwait(false);
            case GateEntry.NoRoom:
                log.Write(ErrorLogLevel.Error, "wsgi",
                    $"[client {client}] Unable to connect to WSGI daemon process '{_config.Name}': listen-backlog={_config.ListenBacklog} requests were waiting for its threads for all of connect-timeout={_config.ConnectTimeoutSeconds} s; raise processes= or threads=, or listen-backlog= to queue more.");
                return await WsgiDispatch.ErrorAsync(context, 503).ConfigureAwait(false);
        }
        try
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(Math.Max(1, _config.ConnectTimeoutSeconds));
            while (true)
            {
                Slot slot = LeastBusy();
                Interlocked.Increment(ref slot.InFlight);
                try
                {
                    DaemonConnection? stream = null;
                    if (!slot.Idle.TryTake(out stream))
                    {
                        (Socket? socket, Worker? worker) = await ConnectAsync(slot, deadline, aborted).ConfigureAwait(false);
                        if (socket == null)
                        {
                            log.Write(ErrorLogLevel.Error, "wsgi",
                                $"[client {client}] Unable to connect to WSGI daemon process '{_config.Name}' on '{worker?.SocketPath}' within connect-timeout={_config.ConnectTimeoutSeconds} s.");
                            return await WsgiDispatch.ErrorAsync(context, 503).ConfigureAwait(false);
                        }
                        stream = new DaemonConnection(socket) { Worker = worker };
                    }
                    (long? sent, bool reusable) = (null, false);
                    try
                    {
                        (sent, reusable) = await ExchangeAsync(context, stream, environ, log, client, slot, requestId, errorOverride).ConfigureAwait(false);
                    }
                    finally
                    {
                        stream.Worker?.Requests.TryRemove(requestId, out _);
                        if (reusable && !_stopping)
                        {
                            slot.Idle.Return(stream);
                        }
                        else if (!stream.Detached)
                        {
                            stream.Dispose();
                        }
                    }
                    if (sent is long bytes)
                    {
                        return bytes;
                    }
                    // Not taken (the worker was stopping: maximum-requests, restart): nothing ran, try again.
                    if (DateTime.UtcNow >= deadline)
                    {
                        log.Write(ErrorLogLevel.Error, "wsgi", $"[client {client}] No worker of WSGI daemon process '{_config.Name}' took the request within connect-timeout.");
                        return await WsgiDispatch.ErrorAsync(context, 503).ConfigureAwait(false);
                    }
                    await Task.Delay(10, aborted).ConfigureAwait(false);
                }
                finally
                {
                    Interlocked.Decrement(ref slot.InFlight);
                }
            }
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>The least busy slot (a stuck worker is replaced in its slot at once, so every slot's current worker takes requests).</summary>
    private Slot LeastBusy()
    {
        Slot best = _slots[0];
        foreach (Slot s in _slots)
        {
            if (Volatile.Read(ref s.InFlight) < Volatile.Read(ref best.InFlight))
            {
                best = s;
            }
        }
        return best;
    }

    /// <summary>
    /// Connects to the slot's current worker, retrying while it starts or is replaced, up to
    /// connect-timeout; the socket is null when none answered. A worker that answered before
    /// and refuses now has stopped listening, which it does when it stops: it is retired, and
    /// the connection goes to its successor.
    /// </summary>
    private async Task<(Socket? Socket, Worker? Worker)> ConnectAsync(Slot slot, DateTime deadline, CancellationToken aborted)
    {
        var delay = TimeSpan.FromMilliseconds(10);
        while (true)
        {
            Worker? worker = slot.Current;
            if (worker != null)
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                DaemonSocketBuffers.Apply(socket, _config.SendBufferSize, _config.ReceiveBufferSize);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(worker.SocketPath), aborted).ConfigureAwait(false);
                    worker.Reached = true;
                    return (socket, worker);
                }
                catch (SocketException e)
                {
                    socket.Dispose();
                    if (worker.Reached && (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable) && Retire(slot, worker, null))
                    {
                        continue;
                    }
                    if (DateTime.UtcNow >= deadline || _stopping)
                    {
                        return (null, worker);
                    }
                }
            }
            else if (DateTime.UtcNow >= deadline || _stopping)
            {
                return (null, null);
            }
            await Task.Delay(delay, aborted).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(250, delay.TotalMilliseconds * 2));
        }
    }

    /// <summary>
    /// One attempt. Sent is null when the worker did not take the request (nothing reached
    /// the app); reusable when the connection ended cleanly at a request boundary.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(long? Sent, bool Reusable)> ExchangeAsync(HttpContext context, DaemonConnection connection, IReadOnlyList<KeyValuePair<string, string>> environ, IErrorLog log, string client, Slot slot, long requestId, bool errorOverride)
    {
        CancellationToken aborted = context.RequestAborted;
        // The worker this connection leads to.
        Worker worker = connection.Worker!;
        Task<string> exit = worker.Exit;
        int? pid = worker.Pid;
        // Writes go straight to the socket; reads through a buffer, so the accept byte, the
        // response head and a small body usually come in one read.
        NetworkStream output = connection.Output;
        Stream stream = connection.Input;
        Memory<byte> accepted = connection.AcceptBuffer;
        // A request whose whole body is here already (none: a GET; or a small one, which
        // WsgiDispatch.PrepareBodyAsync read before the request came here) sends it with the
        // head, and its end-of-body marker: one write, no body pump, and the worker answers the
        // accept byte with the response instead of before it (a round trip and a wake-up less on
        // each side). The body stays unconsumed in the request's pipe until the worker takes
        // the request: one that is not taken sends it again, elsewhere.
        PipeReader? bodyReader = context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false ? null : context.Request.BodyReader;
        bool bodyComplete = bodyReader == null;
        ReadOnlyMemory<byte> requestHead;
        byte[]? rented;
        ReadResult peeked = default;
        bool peekedSome;
        try
        {
            peekedSome = bodyReader != null && bodyReader.TryRead(out peeked);
        }
        catch (Exception e) when (e is BadHttpRequestException or IOException && !aborted.IsCancellationRequested)
        {
            // The body broke (past LimitRequestBody, malformed chunks) after the start that was read
            // before dispatch: nothing went to the worker, whose connection is still between requests.
            return (await BodyRefusedAsync(e, context, environ, log, client).ConfigureAwait(false), true);
        }
        ReadOnlySequence<byte> whole = peekedSome ? peeked.Buffer : ReadOnlySequence<byte>.Empty;
        if (peekedSome)
        {
            bodyComplete = peeked.IsCompleted && !peeked.IsCanceled && whole.Length <= WholeBodyBytes;
        }
        try
        {
            requestHead = DaemonProtocol.EncodeRequest(environ, _secret, bodyComplete, bodyComplete ? whole : ReadOnlySequence<byte>.Empty, connection.RequestBuffer, out rented);
        }
        finally
        {
            if (bodyReader != null && peekedSome)
            {
                bodyReader.AdvanceTo(whole.Start); // nothing consumed: copied into the frame, or left for the pump
            }
        }
        // request-timeout: waiting for the response is bounded; the stuck worker is recycled.
        // With interrupt-timeout the worker first raises RequestTimeout in the request's thread
        // (a 504 from the worker, which lives on); only past both is it recycled.
        // socket-timeout bounds the wait too, and each read of the body after it.
        using CancellationTokenSource timeout = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        CancellationToken waiting = timeout.Token;
        int answer;
        // Registered before it is sent: a request without a body may be running before its accept byte comes.
        worker.Requests[requestId] = environ;
        try
        {
            try
            {
                await output.WriteAsync(requestHead, aborted).ConfigureAwait(false);
            }
            finally
            {
                if (rented != null)
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }
            }
            if (bodyComplete)
            {
                StartTimeout(timeout); // its accept byte comes with the response
            }
            answer = await stream.ReadAsync(accepted, waiting).ConfigureAwait(false) == 1 ? accepted.Span[0] : -1;
        }
        catch (IOException) when (!aborted.IsCancellationRequested)
        {
            // Refused, or reset: the worker closed the connection with the request unread (a
            // pooled connection to a worker that ended, or queued in a stopping worker's backlog).
            return (null, false);
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
        {
            return (await WaitTimedOutAsync(Task.CompletedTask, connection, context, environ, log, client, slot, worker).ConfigureAwait(false), false);
        }
        if (answer == DaemonProtocol.NotTaken)
        {
            // The worker is stopping (maximum-requests, a changed script, restart-interval...),
            // perhaps with requests still running: its successor starts now.
            Retire(slot, worker, null);
            return (null, false);
        }
        if (answer == -1 && !bodyComplete)
        {
            // Not taken (the worker is stopping): nothing of the request ran, nor was its body read.
            return (null, false);
        }
        if (answer != DaemonProtocol.Accepted)
        {
            // The worker read a request without a body and ended without a word: it may have run
            // it (a crash in the app), so it is answered 502, never run again elsewhere.
            return (await ClosedAsync(Task.CompletedTask, answer == -1 ? "end of stream" : $"it answered 0x{answer:x2}, not a response", context, environ, log, client, slot, pid, exit).ConfigureAwait(false), false);
        }
        Task body = Task.CompletedTask;
        if (!bodyComplete)
        {
            body = DaemonRequestBody.PumpAsync(context.Request.BodyReader, connection, ClientTimeout, aborted);
            if (RequestTimeoutFirst)
            {
                StartTimeout(timeout); // request-timeout counts from the start, the upload included
            }
        }
        else if (bodyReader != null && bodyReader.TryRead(out ReadResult taken))
        {
            // Taken: the body the worker has is consumed here.
            bodyReader.AdvanceTo(taken.Buffer.End);
        }
        (int Status, string Reason, List<KeyValuePair<string, string>> Headers) head;
        bool serverPage = false;
        Task<ReadOnlyMemory<byte>> headRead = DaemonProtocol.ReadHeadAsync(stream, connection.HeadBuffer, waiting);
        bool bodyEndedFirst = !bodyComplete && !headRead.IsCompleted && await Task.WhenAny(headRead, body).ConfigureAwait(false) == body;
        if (bodyEndedFirst && !RequestTimeoutFirst)
        {
            // socket-timeout bounds the wait for the head from the body's end, as mod_wsgi
            // reads the head once it has sent the body: a long upload is no timeout.
            StartTimeout(timeout);
        }
        if (bodyEndedFirst && body.Exception?.InnerException is { } lost && WsgiDispatch.AbortIfClientGone(context, lost))
        {
            // The client reset its connection in the middle of the body: the worker's read of
            // the rest fails (its connection is dropped), and there is no one to answer.
            log.Write(ErrorLogLevel.Info, "core", $"[client {client}] {Describe(environ)}: the client closed its connection in the middle of the request body ({lost.Message}); the application's read of wsgi.input fails.");
            connection.Dispose();
            await ObserveHeadAsync(headRead).ConfigureAwait(false);
            // Logged as the app's failed read is in embedded mode, and by Apache: 500.
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return (0, false);
        }
        if (bodyEndedFirst && body.Exception?.InnerException is BadHttpRequestException refused)
        {
            // The client's body broke (past LimitRequestBody, malformed chunks) while the app
            // waits for the rest of it: the worker can get no more of it, so its connection is
            // dropped (its read fails) and the client gets the refusal, as in embedded mode.
            connection.Dispose();
            await ObserveHeadAsync(headRead).ConfigureAwait(false);
            return (await BodyRefusedAsync(refused, context, environ, log, client).ConfigureAwait(false), false);
        }
        try
        {
            ReadOnlyMemory<byte> headBytes = await headRead.ConfigureAwait(false);
            head = DaemonProtocol.ParseResponseHead(headBytes.Span, connection.ResponseStrings);
            if (DaemonProtocol.IsServerErrorPage(headBytes.Span))
            {
                Metadata.RequestMetadata.MarkServerError(context);
                serverPage = true;
            }
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
        {
            return (await WaitTimedOutAsync(body, connection, context, environ, log, client, slot, worker).ConfigureAwait(false), false);
        }
        catch (Exception e) when (e is IOException or InvalidDataException && !aborted.IsCancellationRequested)
        {
            return (await ClosedAsync(body, e.Message, context, environ, log, client, slot, pid, exit).ConfigureAwait(false), false);
        }
        // The body's reads that wait get socket-timeout each, armed around them alone; the
        // head's deadline stays set only while the body is copied without waiting (a response
        // read in one go, as most are, changes no timer), and is lifted before a write to the
        // client that waits (none runs out while the client is written to).

        if (TooLong(head.Headers, _config.HeaderBufferSize) is { } tooLong)
        {
            // The rest of the response is still on the connection: it is not reused.
            log.Write(ErrorLogLevel.Error, "wsgi",
                $"[client {client}] Response header '{tooLong.Key}' from daemon process '{_config.Name}' is {tooLong.Key.Length + 2 + tooLong.Value.Length} bytes, more than header-buffer-size={_config.HeaderBufferSize}; raise header-buffer-size in WSGIDaemonProcess '{_config.Name}' if the header is meant to be that long.");
            await DaemonRequestBody.ObserveAsync(body).ConfigureAwait(false);
            return (await WsgiDispatch.ErrorAsync(context, 500).ConfigureAwait(false), false);
        }
        bool overridden = errorOverride && head.Status >= 400;
        if (overridden)
        {
            // The server's own answer from here (a local ErrorDocument file unmarks it, in Find).
            Metadata.RequestMetadata.MarkServerError(context);
        }
        if ((serverPage || overridden) && Metadata.ErrorDocuments.Find(context, head.Status) is { } document)
        {
            // The worker's error page for a failed app (or, with WSGIErrorOverride, the app's own
            // error page) gives way to the site's ErrorDocument; its body is read off the
            // connection, which stays usable.
            await DrainBodyAsync(stream, connection.HeadBuffer.AsMemory(0, DaemonProtocol.ChunkHeaderBytes), aborted).ConfigureAwait(false);
            return (await Metadata.ErrorDocuments.WriteAsync(context, document).ConfigureAwait(false), await DaemonRequestBody.ObserveAsync(body).ConfigureAwait(false));
        }
        if (overridden)
        {
            await DrainBodyAsync(stream, connection.HeadBuffer.AsMemory(0, DaemonProtocol.ChunkHeaderBytes), aborted).ConfigureAwait(false);
            return (await WsgiDispatch.ErrorAsync(context, head.Status).ConfigureAwait(false), await DaemonRequestBody.ObserveAsync(body).ConfigureAwait(false));
        }
        if (XSendFileResponse.Find(context, head.Status, head.Headers) is { } sendFile)
        {
            // X-Sendfile: the front sends the file; the body the app wrote is read off the
            // connection, which stays usable, and the worker is free at once.
            await DrainBodyAsync(stream, connection.HeadBuffer.AsMemory(0, DaemonProtocol.ChunkHeaderBytes), aborted).ConfigureAwait(false);
            foreach (var (name, value) in head.Headers)
            {
                if (!XSendFileResponse.Replaces(name))
                {
                    WsgiDispatch.AppendHeader(context.Response.Headers, name, value);
                }
            }
            return (await XSendFileResponse.SendAsync(context, sendFile).ConfigureAwait(false), await DaemonRequestBody.ObserveAsync(body).ConfigureAwait(false));
        }
        HttpResponse response = context.Response;
        response.StatusCode = head.Status;
        if (context.Features.Get<IHttpResponseFeature>() is { } feature)
        {
            feature.ReasonPhrase = head.Reason;
        }
        foreach (var (name, value) in head.Headers)
        {
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) && long.TryParse(value, out long length))
            {
                response.ContentLength = length;
            }
            else if (!WsgiDispatch.IsFramingHeader(name))
            {
                WsgiDispatch.AppendHeader(response.Headers, name, value);
            }
        }
        long sent = 0;
        PipeWriter writer = response.BodyWriter;
        // The head is parsed: its buffer takes the chunk headers now.
        Memory<byte> prefix = connection.HeadBuffer.AsMemory(0, DaemonProtocol.ChunkHeaderBytes);
        // Bytes of the next chunk header that came with the end of the last chunk's bytes.
        int prefixRead = 0;
        int unflushed = 0;
        try
        {
            while (true)
            {
                ValueTask header = stream.ReadExactlyAsync(prefix[prefixRead..], waiting);
                if (!header.IsCompletedSuccessfully)
                {
                    // Armed only for a read that waits: most come out of the connection's buffer.
                    timeout.CancelAfter(SocketTimeout);
                    await header.ConfigureAwait(false);
                    timeout.CancelAfter(Timeout.InfiniteTimeSpan);
                }
                prefixRead = 0;
                uint n = DaemonProtocol.ChunkHeader(prefix.Span);
                if (n == DaemonProtocol.End)
                {
                    break;
                }
                if (n == DaemonProtocol.Abort)
                {
                    byte[] lengthBytes = new byte[4];
                    await stream.ReadExactlyAsync(lengthBytes, aborted).ConfigureAwait(false);
                    int messageLength = (int)Math.Min(System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(lengthBytes), DaemonProtocol.MaxKeyLength);
                    byte[] message = new byte[messageLength];
                    await stream.ReadExactlyAsync(message, aborted).ConfigureAwait(false);
                    await writer.FlushAsync(aborted).ConfigureAwait(false);
                    throw new IncompleteResponseException(System.Text.Encoding.Latin1.GetString(message), sent);
                }
                int left = (int)n;
                while (left > 0)
                {
                    // Read straight into the response, with room for the next chunk header
                    // after the last bytes: when the worker has sent both, one read takes a
                    // 64 KiB chunk and the header after it (the header read apart cost a
                    // system call, and a 16 KiB copy through the read buffer, per chunk).
                    Memory<byte> memory = writer.GetMemory(Math.Min(left, 64 * 1024) + DaemonProtocol.ChunkHeaderBytes);
                    ValueTask<int> reading = stream.ReadAsync(memory[..Math.Min(left + DaemonProtocol.ChunkHeaderBytes, memory.Length)], waiting);
                    int read;
                    if (reading.IsCompletedSuccessfully)
                    {
                        read = reading.Result;
                    }
                    else
                    {
                        timeout.CancelAfter(SocketTimeout);
                        read = await reading.ConfigureAwait(false);
                        timeout.CancelAfter(Timeout.InfiniteTimeSpan);
                    }
                    if (read == 0)
                    {
                        throw new EndOfStreamException("the worker closed the connection inside a body chunk");
                    }
                    if (read > left)
                    {
                        prefixRead = read - left;
                        memory.Slice(left, prefixRead).CopyTo(prefix);
                        read = left;
                    }
                    writer.Advance(read);
                    left -= read;
                    sent += read;
                    unflushed += read;
                    if (left > 0 && unflushed >= FlushEveryBytes)
                    {
                        // A chunk up to 1 MiB (an app's large write, a file_wrapper file) goes
                        // on to the client as it comes, not held whole in the response's pipe.
                        unflushed = 0;
                        ValueTask<FlushResult> flushing = Server.StalledClient.FlushAsync(writer, context, IoTimeout, log, client, aborted);
                        if (!flushing.IsCompleted)
                        {
                            timeout.CancelAfter(Timeout.InfiniteTimeSpan);
                        }
                        await flushing.ConfigureAwait(false);
                    }
                }
                unflushed = 0;
                // Up to Timeout for a client that stopped reading: the worker's thread waits on it.
                ValueTask<FlushResult> flushed = Server.StalledClient.FlushAsync(writer, context, IoTimeout, log, client, aborted);
                if (!flushed.IsCompleted)
                {
                    timeout.CancelAfter(Timeout.InfiniteTimeSpan);
                }
                await flushed.ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away: %b and the metrics count what it was sent, which is all of
            // it for a client that closes once it has Content-Length's bytes while the app's
            // close() (Django's request_finished) still runs before the worker's end marker.
            // The body pump ends with the client (its reads are cancelled with it): waited for,
            // so no read of the request body is left running when Kestrel ends the request.
            await DaemonRequestBody.ObserveAsync(body).ConfigureAwait(false);
            throw new IncompleteResponseException("the client closed the connection", sent);
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
        {
            // socket-timeout between two pieces of the body: mod_wsgi gives up on the response
            // the same way ("Failed to proxy response from daemon"); the worker's write fails.
            log.Write(ErrorLogLevel.Error, "wsgi",
                $"[client {client}] {Describe(environ)}: Timeout when reading the response from daemon process '{_config.Name}': nothing more came within {SocketTimeoutText}; " +
                $"the client gets an incomplete response. An application that pauses longer between two writes needs a longer socket-timeout= in WSGIDaemonProcess '{_config.Name}'.");
            await writer.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            connection.Dispose(); // the worker's next write fails; the pump's too
            await DaemonRequestBody.ObserveAsync(body).ConfigureAwait(false);
            throw new IncompleteResponseException("socket-timeout while reading the response from the daemon", sent);
        }
        catch (Exception e) when (e is IOException or InvalidDataException && !aborted.IsCancellationRequested)
        {
            string? how = await ExitReasonAsync(exit).ConfigureAwait(false);
            log.Write(ErrorLogLevel.Error, "wsgi",
                $"[client {client}] {Describe(environ)}: WSGI daemon process '{_config.Name}' worker {slot.Index} (pid {pid}) stopped in the middle of the response " +
                $"({(how != null ? "the worker " + how : e.Message)}); the client gets an incomplete response.");
            await writer.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            await DaemonRequestBody.ObserveAsync(body).ConfigureAwait(false);
            throw new IncompleteResponseException("daemon worker failed mid-response", sent);
        }
        return (sent, await DaemonRequestBody.ObserveAsync(body).ConfigureAwait(false));
    }

    /// <summary>Reads a response body's chunks off the connection without sending them (an error page replaced by an ErrorDocument, a body by the file X-Sendfile names).</summary>
    private static async Task DrainBodyAsync(Stream stream, Memory<byte> prefix, CancellationToken aborted)
    {
        byte[] scratch = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            while (true)
            {
                await stream.ReadExactlyAsync(prefix, aborted).ConfigureAwait(false);
                uint n = DaemonProtocol.ChunkHeader(prefix.Span);
                if (n == DaemonProtocol.End)
                {
                    return;
                }
                if (n == DaemonProtocol.Abort)
                {
                    throw new InvalidDataException("the worker aborted its own error page");
                }
                for (long left = n; left > 0;)
                {
                    int read = await stream.ReadAsync(scratch.AsMemory(0, (int)Math.Min(left, scratch.Length)), aborted).ConfigureAwait(false);
                    left -= read > 0 ? read : throw new EndOfStreamException("the worker closed the connection inside a body chunk");
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    // Methods, not local functions of ExchangeAsync: capturing its locals made the compiler
    // allocate their closure at the start of every exchange, including all that never time out.
    private void StartTimeout(CancellationTokenSource timeout) =>
        timeout.CancelAfter(RequestTimeoutFirst ? _responseTimeout : SocketTimeout);

    /// <summary>The wait for the response head ran out: request-timeout's or socket-timeout's, whichever came first.</summary>
    private Task<long> WaitTimedOutAsync(Task body, DaemonConnection connection, HttpContext context, IReadOnlyList<KeyValuePair<string, string>> environ, IErrorLog log, string client, Slot slot, Worker worker) =>
        RequestTimeoutFirst
            ? TimedOutAsync(body, context, environ, log, client, slot, worker)
            : SocketTimedOutAsync(body, connection, context, environ, log, client, slot, worker);

    /// <summary>request-timeout (with interrupt-timeout) ends the wait for a response head no later than socket-timeout does: the worker is recycled.</summary>
    private bool RequestTimeoutFirst => _responseTimeout > TimeSpan.Zero && _responseTimeout <= SocketTimeout;

    private string SocketTimeoutText => _config.SocketTimeoutSeconds > 0
        ? $"socket-timeout={_config.SocketTimeoutSeconds} s"
        : $"socket-timeout ({SocketTimeout.TotalSeconds:0} s: Timeout, as socket-timeout= is not set)";

    /// <summary>
    /// socket-timeout passed before request-timeout (or without one): the client gets 504, as
    /// from mod_wsgi, and the request runs on in the worker. With request-timeout the worker
    /// is still recycled if the request has not ended by then: the connection is watched
    /// until that time (<see cref="WatchAsync"/>).
    /// </summary>
    private async Task<long> SocketTimedOutAsync(Task body, DaemonConnection connection, HttpContext context, IReadOnlyList<KeyValuePair<string, string>> environ, IErrorLog log, string client, Slot slot, Worker worker)
    {
        bool watched = _responseTimeout > TimeSpan.Zero;
        log.Write(ErrorLogLevel.Error, "wsgi",
            $"[client {client}] {Describe(environ)}: Timeout when reading response headers from daemon process '{_config.Name}': no answer within {SocketTimeoutText}. " +
            (watched
                ? $"The request runs on in worker {slot.Index} (pid {worker.Pid}) until {RequestTimeoutRule.Describe(_config.RequestTimeoutSeconds, _config.Threads)} recycles it. "
                : $"The request runs on in worker {slot.Index} (pid {worker.Pid}); request-timeout= would end such requests. ") +
            $"If the application needs longer, raise socket-timeout= in WSGIDaemonProcess '{_config.Name}' (Timeout without it).");
        if (watched)
        {
            connection.Detached = true;
            _ = WatchAsync(connection, body, _responseTimeout - SocketTimeout, environ, slot, worker);
        }
        else
        {
            await DaemonRequestBody.ObserveAsync(body).ConfigureAwait(false);
        }
        return await WsgiDispatch.ErrorAsync(context, 504).ConfigureAwait(false);
    }

    /// <summary>
    /// After a socket-timeout, the rest of request-timeout: a worker that has neither answered
    /// nor closed the connection by then still runs the request and is recycled, as a worker
    /// past request-timeout is whoever waits for it.
    /// </summary>
    private async Task WatchAsync(DaemonConnection connection, Task body, TimeSpan rest, IReadOnlyList<KeyValuePair<string, string>> environ, Slot slot, Worker worker)
    {
        try
        {
            await Task.Delay(rest).ConfigureAwait(false);
            // Readable: an answer (or the end of the connection) came; the request is over.
            if (!_stopping && !connection.Socket.Poll(0, SelectMode.SelectRead))
            {
                _log.Write(ErrorLogLevel.Error, "wsgi",
                    $"{Describe(environ)}: still running in daemon process '{_config.Name}' after {RequestTimeoutRule.Describe(_config.RequestTimeoutSeconds, _config.Threads)}{(_config.InterruptTimeoutSeconds > 0 ? $", interrupt-timeout={_config.InterruptTimeoutSeconds} s" : "")} (its client got 504 at socket-timeout); recycling worker {slot.Index} (pid {worker.Pid}).");
                Recycle(slot, worker);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            connection.Dispose();
            await DaemonRequestBody.ObserveAsync(body).ConfigureAwait(false);
        }
    }

    private async Task<long> TimedOutAsync(Task body, HttpContext context, IReadOnlyList<KeyValuePair<string, string>> environ, IErrorLog log, string client, Slot slot, Worker worker)
    {
        log.Write(ErrorLogLevel.Error, "wsgi",
            $"[client {client}] {Describe(environ)}: Timeout when reading response headers from daemon process '{_config.Name}' ({RequestTimeoutRule.Describe(_config.RequestTimeoutSeconds, _config.Threads)}{(_config.InterruptTimeoutSeconds > 0 ? $", interrupt-timeout={_config.InterruptTimeoutSeconds} s" : "")}); recycling worker {slot.Index} (pid {worker.Pid}).");
        Recycle(slot, worker);
        await DaemonRequestBody.ObserveAsync(body).ConfigureAwait(false);
        return await WsgiDispatch.ErrorAsync(context, 504).ConfigureAwait(false);
    }

    private async Task<long> ClosedAsync(Task body, string cause, HttpContext context, IReadOnlyList<KeyValuePair<string, string>> environ, IErrorLog log, string client, Slot slot, int? pid, Task<string> exit)
    {
        // The socket usually closes a moment before the supervisor sees the exit: wait for it, to name the cause.
        string? how = await ExitReasonAsync(exit).ConfigureAwait(false);
        log.Write(ErrorLogLevel.Error, "wsgi",
            $"[client {client}] {Describe(environ)}: WSGI daemon process '{_config.Name}' worker {slot.Index} (pid {pid}) closed the connection before answering: " +
            (how != null ? $"the worker {how}." : $"the worker died or was restarted mid-request ({cause})."));
        await DaemonRequestBody.ObserveAsync(body).ConfigureAwait(false);
        return await WsgiDispatch.ErrorAsync(context, 502).ConfigureAwait(false);
    }

    /// <summary>Waits for a head read whose connection was just dropped; it can only fail.</summary>
    private static async Task ObserveHeadAsync(Task<ReadOnlyMemory<byte>> headRead)
    {
        try
        {
            await headRead.ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or InvalidDataException)
        {
        }
    }

    /// <summary>Answers a request whose body Kestrel refused with its 4xx; the client's connection closes, as the rest of it cannot be framed any more.</summary>
    private static async Task<long> BodyRefusedAsync(Exception refused, HttpContext context, IReadOnlyList<KeyValuePair<string, string>> environ, IErrorLog log, string client)
    {
        int status = WsgiDispatch.RefusedBodyStatus(refused);
        log.Write(ErrorLogLevel.Info, "core", $"[client {client}] request body refused ({status}) for {Describe(environ)}: {refused.Message}");
        Server.WsgiDispatch.CloseConnection(context);
        return await WsgiDispatch.ErrorAsync(context, status).ConfigureAwait(false);
    }

    /// <summary>The first response header longer than header-buffer-size, if any.</summary>
    private static KeyValuePair<string, string>? TooLong(List<KeyValuePair<string, string>> headers, int limit)
    {
        foreach (KeyValuePair<string, string> header in headers)
        {
            if (header.Key.Length + 2 + header.Value.Length > limit)
            {
                return header;
            }
        }
        return null;
    }

    private static string Environ(IReadOnlyList<KeyValuePair<string, string>> environ, string key) =>
        environ.FirstOrDefault(e => e.Key == key).Value ?? "";

    /// <summary>A request for the log: "GET /path (WSGI script '...')".</summary>
    private static string Describe(IReadOnlyList<KeyValuePair<string, string>> environ) =>
        $"{Environ(environ, "REQUEST_METHOD")} {Environ(environ, "REQUEST_URI")} (WSGI script '{Environ(environ, DaemonKeys.Script)}')";

    /// <summary>How the worker ended, once it has (within a few seconds); null when it is still running.</summary>
    private static async Task<string?> ExitReasonAsync(Task<string> exit)
    {
        try
        {
            return await exit.WaitAsync(TimeSpan.FromSeconds(3)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    /// <summary>
    /// Replaces a stuck worker: its successor starts at once (<see cref="Retire"/>), and it gets
    /// SIGTERM (it stops taking requests and lets the others finish within graceful-timeout),
    /// then SIGKILL if it is still there after shutdown-timeout more.
    /// </summary>
    private void Recycle(Slot slot, Worker worker)
    {
        Process process = worker.Process;
        if (process.HasExited)
        {
            return;
        }
        Retire(slot, worker, WorkerRestartReason.RequestTimeout);
        _ = Kill(worker.Pid, 15);
        TimeSpan grace = TimeSpan.FromSeconds(_config.GracefulTimeoutSeconds + Math.Max(1, _config.ShutdownTimeoutSeconds));
        _ = Task.Delay(grace).ContinueWith(_ =>
        {
            try
            {
                if (!process.HasExited)
                {
                    worker.KilledBy = $"the server ended it, still running {grace.TotalSeconds:0} s (graceful-timeout + shutdown-timeout) after request-timeout recycled it";
                    process.Kill(entireProcessTree: true);
                }
            }
            catch (InvalidOperationException)
            {
                // Already exited and disposed.
            }
        }, TaskScheduler.Default);
    }

    /// <summary>The largest body sent with its request's head (<see cref="DaemonKeys.BodyComplete"/>): what <see cref="WsgiDispatch.PrepareBodyAsync"/> reads before a request comes here.</summary>
    private const int WholeBodyBytes = WsgiDispatch.BufferedBodyStart;

    /// <summary>How much of a response chunk the front reads before it flushes it to the client without waiting for the chunk's end.</summary>
    private const int FlushEveryBytes = 64 * 1024;

    /// <summary>Stops the workers: SIGTERM (they finish their requests), SIGKILL after shutdown-timeout.</summary>
    public ValueTask DisposeAsync()
    {
        // Once: a group retired by SIGHUP is also in the shutdown list.
        lock (_slots)
        {
            _disposing ??= StopWorkersAsync();
        }
        return new ValueTask(_disposing);
    }

    private Task? _disposing;

    private async Task StopWorkersAsync()
    {
        _stopping = true;
        _idleSweep?.Dispose();
        foreach (Slot slot in _slots)
        {
            slot.DropIdle();
        }
        var running = new List<Process>();
        foreach (Slot slot in _slots)
        {
            lock (slot)
            {
                running.AddRange(slot.Draining.Select(w => w.Process).Append(slot.Current?.Process).OfType<Process>().Where(p => !p.HasExited));
            }
        }
        foreach (Process p in running)
        {
            _ = Kill(p.Id, 15);
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(Math.Max(1, _config.ShutdownTimeoutSeconds)));
        foreach (Process p in running)
        {
            try
            {
                await p.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                p.Kill(entireProcessTree: true);
            }
            p.Dispose();
        }
        _gate.Dispose();
    }

    /// <summary>
    /// The group's name as a file name: safe characters only, and short, because a Unix socket
    /// path has at most 107 bytes (a long name is cut and made unique with a hash).
    /// </summary>
    internal static string SafeName(string name)
    {
        string safe = string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
        if (safe.Length <= 32)
        {
            return safe;
        }
        string hash = WsgiHost.Python.Wsgi.Md5.Hex(name)[..8];
        return safe[..23] + "-" + hash;
    }

    // DllImport, not LibraryImport: this project has no unsafe code (WsgiHost.Python alone does).
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
