using System.Collections.Concurrent;
using System.Net.Sockets;
using WsgiHost.Python.Runtime;
using WsgiHost.Python.Wsgi;

namespace WsgiHost.Daemon;

/// <summary>
/// `wsgihost worker`: one process of a daemon group. It embeds CPython, listens on a Unix
/// socket only its owner can open, and takes a connection only when one of its threads is
/// free, so excess load waits in the kernel backlog and the front's queue (mod_wsgi's
/// one-idle-thread-accepts model). Each connection carries one request.
/// </summary>
internal sealed class DaemonWorker(DaemonWorkerOptions options, IErrorLog log)
{
    private readonly ConcurrentDictionary<(string Script, string Callable, string Group, bool Reload), WsgiApplication> _apps = new();
    private PythonRuntime? _python;

    /// <summary>Serves until <paramref name="stop"/> or maximum-requests; returns the process exit code.</summary>
    public async Task<int> RunAsync(CancellationToken stop)
    {
        if (options.Home != null)
        {
            Directory.SetCurrentDirectory(options.Home);
        }
        IReadOnlyList<string> path = options.Home == null ? options.PythonPath : [options.Home, .. options.PythonPath];
        _python = PythonRuntime.Start(options.PythonExecutable, options.PythonHome, new PythonRuntimeOptions { PythonPath = path }, log);
        var executor = new WsgiExecutor(options.Threads, log);
        using var listener = Listen(options.SocketPath);
        log.Write(ErrorLogLevel.Info, "wsgi", $"Daemon process group '{options.Group}' worker started (pid {Environment.ProcessId}, {options.Threads} threads, Python {_python.Version}).");
        using var slots = new SemaphoreSlim(options.Threads);
        int served = 0;
        try
        {
            while (options.MaximumRequests == 0 || served < options.MaximumRequests)
            {
                await slots.WaitAsync(stop).ConfigureAwait(false);
                Socket connection;
                try
                {
                    connection = await listener.AcceptAsync(stop).ConfigureAwait(false);
                }
                catch
                {
                    slots.Release();
                    throw;
                }
                served++;
                _ = Task.Run(() => ServeAsync(connection, executor, slots));
            }
            log.Write(ErrorLogLevel.Info, "wsgi", $"Daemon process group '{options.Group}' worker reached maximum-requests={options.MaximumRequests}; restarting.");
        }
        catch (OperationCanceledException)
        {
        }
        // Stop taking connections, let the running requests finish, then end Python.
        listener.Close();
        File.Delete(options.SocketPath);
        for (int i = 0; i < options.Threads; i++)
        {
            if (!await slots.WaitAsync(options.GracefulTimeout).ConfigureAwait(false))
            {
                log.Write(ErrorLogLevel.Warning, "wsgi", $"Daemon process group '{options.Group}': requests still running after graceful-timeout; stopping anyway.");
                break;
            }
        }
        executor.Dispose();
        _python.Dispose();
        return 0;
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

    private async Task ServeAsync(Socket connection, WsgiExecutor executor, SemaphoreSlim slots)
    {
        try
        {
            await using var stream = new NetworkStream(connection, ownsSocket: true);
            await using var output = new BufferedStream(stream, 64 * 1024);
            List<KeyValuePair<string, string>> environ;
            try
            {
                environ = DaemonProtocol.ReadRequest(stream);
            }
            catch (Exception e) when (e is IOException or InvalidDataException)
            {
                log.Write(ErrorLogLevel.Error, "wsgi", $"Daemon process group '{options.Group}': dropped a malformed request frame ({e.Message}).");
                return;
            }
            string Value(string key) => environ.FirstOrDefault(e => e.Key == key).Value ?? "";
            if (!CryptographicEquals(Value(DaemonKeys.Secret), options.Secret))
            {
                log.Write(ErrorLogLevel.Error, "wsgi", $"Daemon process group '{options.Group}': dropped a request without this server's secret.");
                return;
            }
            var key = (Value(DaemonKeys.Script), Value(DaemonKeys.Callable), Value(DaemonKeys.ApplicationGroup), Value(DaemonKeys.ScriptReloading) != "0");
            WsgiApplication app = _apps.GetOrAdd(key, k => WsgiApplication.Create(_python!, new WsgiApplicationOptions
            {
                ScriptPath = k.Script,
                CallableObject = k.Callable.Length == 0 ? "application" : k.Callable,
                ApplicationGroup = k.Group,
                ProcessGroup = options.Group,
                ScriptReloading = k.Reload,
                MultiThread = options.Threads != 1,
                MultiProcess = options.MultiProcess,
            }, log));
            stream.WriteByte(DaemonProtocol.Accepted);
            var exchange = new WorkerExchange(stream, output, environ, Value(DaemonKeys.Head) == "1", Value(DaemonKeys.Client));
            await executor.RunAsync(app, exchange).ConfigureAwait(false);
            exchange.Complete();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            // The front went away (client disconnect): the gateway has already closed the iterable.
        }
        finally
        {
            slots.Release();
        }
    }

    private static bool CryptographicEquals(string a, string b) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(a), System.Text.Encoding.UTF8.GetBytes(b));
}
