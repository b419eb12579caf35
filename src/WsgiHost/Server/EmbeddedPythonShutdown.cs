using WsgiHost.Python.Runtime;
using WsgiHost.Python.Wsgi;

namespace WsgiHost.Server;

/// <summary>The end of a process's embedded Python: its WSGI threads first, then the interpreter.</summary>
internal static class EmbeddedPythonShutdown
{
    /// <summary>
    /// Stops the WSGI threads (queued requests finish), waiting for them until
    /// <paramref name="most"/> has passed or <paramref name="stopping"/> is cancelled, then
    /// finalises Python. When a thread is still running a request by then, Python is not
    /// finalised: finalising deletes the thread states and frees the objects that thread is
    /// using (it crashed a server whose app slept through its shutdown), so the request ends
    /// with the process. True when Python was finalised (or there was none).
    /// </summary>
    public static bool Stop(WsgiExecutor executor, PythonRuntime? python, IErrorLog log, TimeSpan most, CancellationToken stopping)
    {
        if (!executor.Stop(most, stopping))
        {
            log.Write(ErrorLogLevel.Warning, "wsgi",
                "WSGI requests were still running when the shutdown timeout ran out; they end with the process, and Python is not finalised (its atexit callbacks do not run).");
            return false;
        }
        if (python != null)
        {
            python.Dispose();
            log.Write(ErrorLogLevel.Notice, "wsgi", "Python finalised.");
        }
        return true;
    }
}
