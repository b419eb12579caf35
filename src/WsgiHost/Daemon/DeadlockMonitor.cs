using System.Runtime.InteropServices;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Daemon;

/// <summary>
/// deadlock-timeout: once a second python-main takes the GIL for a moment; if that has not
/// happened for the configured time, some code holds the GIL and will not give it back (a C
/// extension blocked without releasing it, a deadlock), no request can run, and the worker
/// ends at once with the reason logged so the server starts a new one (mod_wsgi's forced
/// restart; a graceful drain is impossible without the GIL).
/// </summary>
internal sealed class DeadlockMonitor : IDisposable
{
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _stop = new();

    public DeadlockMonitor(PythonRuntime python, TimeSpan timeout, string group, IErrorLog log)
    {
        _thread = new Thread(() => Watch(python, timeout, group, log)) { Name = "wsgi-deadlock-monitor", IsBackground = true };
        _thread.Start();
    }

    private void Watch(PythonRuntime python, TimeSpan timeout, string group, IErrorLog log)
    {
        while (!_stop.Wait(TimeSpan.FromSeconds(1)))
        {
            using var taken = new ManualResetEventSlim();
            // The probe runs on python-main; this thread only waits for it.
            _ = Task.Run(() =>
            {
                try
                {
                    python.RunWithGil(python.MainInterpreter, _ => taken.Set());
                }
                catch (ObjectDisposedException)
                {
                }
                catch (InvalidOperationException)
                {
                }
            });
            if (WaitHandle.WaitAny([taken.WaitHandle, _stop.WaitHandle], timeout) == WaitHandle.WaitTimeout)
            {
                log.Write(ErrorLogLevel.Critical, "wsgi",
                    $"Daemon process group '{group}' worker (pid {Environment.ProcessId}): the GIL was not released for deadlock-timeout={timeout.TotalSeconds:0} s (an extension blocked holding it, or a deadlock); ending the worker so a new one starts.");
                Thread.Sleep(200); // let the log line out
                _exit(WorkerRestartReasons.DeadlockExitCode);
            }
        }
    }

    public void Dispose()
    {
        _stop.Set();
        _thread.Join(TimeSpan.FromSeconds(2));
    }

    // _exit: no managed or Python shutdown, which would wait for the very GIL that is stuck.
    [DllImport("libc", EntryPoint = "_exit")]
    private static extern void _exit(int status);
}
