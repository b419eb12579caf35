using WsgiHost.Python.Runtime;

namespace WsgiHost.Daemon;

/// <summary>
/// --reload-on-changes (mod_wsgi-express's code monitor, for development): once a second the
/// source files of every module loaded in the main interpreter are listed, and a file whose
/// modification time changed since it was first seen (or that is gone) restarts the worker
/// gracefully, so the next request runs the new code in a fresh process.
/// </summary>
internal sealed class CodeChangeMonitor : IDisposable
{
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _stop = new();
    private readonly Dictionary<string, DateTime> _seen = new(StringComparer.Ordinal);
    private readonly DateTime _started = DateTime.UtcNow;

    /// <param name="changed">Called once, with the file that changed, to restart the worker.</param>
    public CodeChangeMonitor(PythonRuntime python, Action<string> changed, IErrorLog log)
    {
        _thread = new Thread(() => Watch(python, changed, log)) { Name = "wsgi-code-monitor", IsBackground = true };
        _thread.Start();
    }

    private void Watch(PythonRuntime python, Action<string> changed, IErrorLog log)
    {
        while (!_stop.Wait(TimeSpan.FromSeconds(1)))
        {
            IReadOnlyList<string> files;
            try
            {
                files = python.LoadedModuleFiles();
            }
            catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException)
            {
                return; // Python is shutting down
            }
            catch (PythonException e)
            {
                log.Write(ErrorLogLevel.Warning, "wsgi", $"--reload-on-changes cannot list the loaded modules: {e.Message}");
                continue;
            }
            if (FirstChange(files) is string file)
            {
                try
                {
                    python.ForgetBytecode(file);
                }
                catch (Exception e) when (e is PythonException or InvalidOperationException or ObjectDisposedException)
                {
                    log.Write(ErrorLogLevel.Warning, "wsgi", $"--reload-on-changes could not remove the cached bytecode of {file}: {e.Message}");
                }
                changed(file);
                return;
            }
        }
    }

    /// <summary>
    /// The first file whose time differs from when it was first seen; new files are remembered.
    /// A module imported (by a request) between two passes may have been edited since, so a file
    /// first seen with a time after the worker started counts as changed: at worst one restart
    /// more, never a change missed.
    /// </summary>
    private string? FirstChange(IReadOnlyList<string> files)
    {
        foreach (string file in files)
        {
            // A missing file reads as 1601-01-01, which differs from any time seen before.
            DateTime time = File.GetLastWriteTimeUtc(file);
            if (!_seen.TryGetValue(file, out DateTime first))
            {
                // A time in the future (clock skew, an unpacked archive) is no sign of an edit,
                // and would restart every new worker again.
                if (time > _started && time <= DateTime.UtcNow)
                {
                    return file;
                }
                _seen[file] = time;
            }
            else if (time != first)
            {
                return file;
            }
        }
        return null;
    }

    public void Dispose()
    {
        _stop.Set();
        if (Thread.CurrentThread != _thread)
        {
            _thread.Join(TimeSpan.FromSeconds(2));
        }
    }
}
