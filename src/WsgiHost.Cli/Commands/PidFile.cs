using System.Globalization;
using WsgiHost.Configuration.Model;
using WsgiHost.Supervisor;

namespace WsgiHost.Cli.Commands;

/// <summary>
/// PidFile: the PID to signal (apache2ctl, systemd's PIDFile=, logrotate's postrotate), written
/// before the server starts, while it may still be root (Debian's /var/run/apache2 is root's,
/// and the server may become User once its ports are bound), and removed when it stops. Under
/// --server-processes the supervisor is the process to signal: the first server process writes
/// its PID. A file that names another running WsgiHost process is left alone and the start
/// refused, as Apache's "httpd (pid N) already running": a second start of the same site, which
/// then fails on its ports, removed the running server's PidFile on its way out.
/// </summary>
internal sealed class PidFile : IDisposable
{
    private readonly string _path;
    private readonly string _content;

    private PidFile(string path, string content)
    {
        _path = path;
        _content = content;
    }

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
        if (RunningServer(path, pid) is int other)
        {
            throw new IOException($"the PidFile {path} names process {other}, a WsgiHost server that is running (this site started twice?): stop it first (kill -TERM {other}), or give this one another PidFile");
        }
        string content = pid.ToString(CultureInfo.InvariantCulture) + "\n";
        try
        {
            File.WriteAllText(path, content);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"could not create the PidFile {path}: {e.Message} (create its folder, or let this user write there)", e);
        }
        return new PidFile(path, content);
    }

    /// <summary>
    /// The PID in the file at <paramref name="path"/> when it is not <paramref name="own"/> and names
    /// a live WsgiHost process (its program's name starts with "wsgihost", whatever the case, or
    /// it is `dotnet WsgiHost.Cli.dll`); null otherwise: no file, no number, a process that is
    /// gone, or a PID the system has since given to another program (a server that crashed
    /// leaves its file behind, and Apache's own check would then refuse to start).
    /// </summary>
    internal static int? RunningServer(string path, int own)
    {
        try
        {
            if (!int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid <= 0 || pid == own)
            {
                return null;
            }
            // Any user may read another's command line.
            string[] command = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
            bool server = Path.GetFileName(command[0]).StartsWith("wsgihost", StringComparison.OrdinalIgnoreCase)
                || (Path.GetFileName(command[0]) == "dotnet" && command.Length > 1 && Path.GetFileName(command[1]).StartsWith("WsgiHost.", StringComparison.Ordinal));
            return server ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No file, or no such process.
            return null;
        }
    }

    public void Dispose()
    {
        if (Kept)
        {
            return;
        }
        try
        {
            // Only the file as this process wrote it: another server may have written its own since.
            if (File.Exists(_path) && File.ReadAllText(_path) == _content)
            {
                File.Delete(_path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A server that became User may not remove what it wrote as root; a stale PID file
            // names a process that is gone, which apache2ctl and systemd check for.
        }
    }
}
