using System.Globalization;
using WsgiHost.Configuration.Model;
using WsgiHost.Supervisor;

namespace WsgiHost.Cli.Commands;

/// <summary>
/// PidFile: the PID to signal (apache2ctl, systemd's PIDFile=, logrotate's postrotate), written
/// before the server starts, while it may still be root (Debian's /var/run/apache2 is root's,
/// and the server may become User once its ports are bound), and removed when it stops. Under
/// --server-processes the supervisor is the process to signal: the first server process writes
/// its PID.
/// </summary>
internal sealed class PidFile : IDisposable
{
    private readonly string _path;

    private PidFile(string path) => _path = path;

    /// <summary>
    /// Leaves the file when this process ends: the file names its supervisor, which goes on when
    /// this server process is replaced or fails to start as the replacement of another.
    /// </summary>
    public bool Kept { get; set; }

    /// <summary>The written file, or null when the site names none (or another server process writes it).</summary>
    /// <exception cref="IOException">It cannot be written (the message says where and why).</exception>
    public static PidFile? Write(SiteConfig site)
    {
        if (site.PidFile is not string path || ServerProcesses.Child is ( > 0, _))
        {
            return null;
        }
        int pid = ServerProcesses.Child == null ? Environment.ProcessId : Server.ParentWatch.ParentId;
        try
        {
            File.WriteAllText(path, pid.ToString(CultureInfo.InvariantCulture) + "\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"could not create the PidFile {path}: {e.Message} (create its folder, or let this user write there)", e);
        }
        return new PidFile(path);
    }

    public void Dispose()
    {
        if (Kept)
        {
            return;
        }
        try
        {
            File.Delete(_path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A server that became User may not remove what it wrote as root; a stale PID file
            // names a process that is gone, which apache2ctl and systemd check for.
        }
    }
}
