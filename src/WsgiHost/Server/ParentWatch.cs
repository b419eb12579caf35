using System.Runtime.InteropServices;

namespace WsgiHost.Server;

/// <summary>
/// Ends a child process whose parent is gone: a daemon worker whose server, or a server process
/// whose supervisor, was killed outright (SIGKILL, the OOM killer) and so could not stop it.
/// Reparented to init, such orphans went on for good: workers no front would ever use, and
/// server processes still answering on the shared port (SO_REUSEPORT) with the old code beside
/// a restarted server. Apache's children leave when their parent dies. prctl(PR_SET_PDEATHSIG)
/// is not used: it fires when the forking thread ends, not the process, and .NET forks from
/// whichever thread starts the child. A once-a-second getppid() costs nothing that shows.
/// </summary>
internal sealed class ParentWatch : IDisposable
{
    private readonly int _parent = OperatingSystem.IsLinux() ? getppid() : 0;
    private readonly Timer? _timer;
    private int _fired;

    /// <param name="orphaned">Called once, from a timer thread, when the parent has gone: stop as on SIGTERM.</param>
    public ParentWatch(Action orphaned)
    {
        if (_parent <= 1)
        {
            return; // not Linux, or started by init already (a service manager): nothing to watch
        }
        _timer = new Timer(_ =>
        {
            if (getppid() != _parent && Interlocked.Exchange(ref _fired, 1) == 0)
            {
                orphaned();
            }
        }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public void Dispose() => _timer?.Dispose();

    /// <summary>The process that started this one (0 where that cannot be asked).</summary>
    public static int ParentId => OperatingSystem.IsLinux() ? getppid() : 0;

    // DllImport, not LibraryImport: this project has no unsafe code (WsgiHost.Python alone does).
    [DllImport("libc")]
    private static extern int getppid();
}
