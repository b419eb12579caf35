using System.Diagnostics;
using System.Text;

namespace WsgiHost.Logging;

/// <summary>
/// Apache's piped logs: `CustomLog "|/usr/bin/rotatelogs /var/log/access.%Y%m%d 86400" combined`
/// writes to the standard input of a program the server starts ("||" runs it directly, "|$"
/// through /bin/sh, as Apache 2.4; a plain "|", direct in Apache 2.4, runs through /bin/sh, so
/// that configurations written for 2.2 keep their redirections). A program that exits is started again for the next
/// line, as Apache restarts piped loggers, so a crashing rotatelogs loses at most that line.
/// </summary>
internal sealed class PipedLog : SynchronousLogWriter
{
    private readonly string _command;
    private readonly Lock _lock = new();
    private Process? _process;

    private PipedLog(string command) => _command = command;

    /// <summary>True for a log target Apache treats as a pipe.</summary>
    public static bool IsPipe(string target) => target.StartsWith('|');

    public static PipedLog Start(string target)
    {
        var log = new PipedLog(target);
        lock (log._lock)
        {
            log.EnsureRunning();
        }
        return log;
    }

    private StreamWriter EnsureRunning()
    {
        if (_process is { HasExited: false } running)
        {
            return running.StandardInput;
        }
        _process?.Dispose();
        bool direct = _command.StartsWith("||", StringComparison.Ordinal);
        // "|$command": Apache 2.4's explicit shell form; the '$' is no part of the command.
        string command = _command[(direct || _command.StartsWith("|$", StringComparison.Ordinal) ? 2 : 1)..].Trim();
        var start = direct
            ? new ProcessStartInfo(command.Split(' ', 2)[0], command.Contains(' ') ? command.Split(' ', 2)[1] : "")
            : new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", command } };
        start.UseShellExecute = false;
        Server.InlineIo.Unset(start);
        start.RedirectStandardInput = true;
        start.StandardInputEncoding = new UTF8Encoding(false);
        _process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start the piped log program {command}");
        return _process.StandardInput;
    }

    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }
        lock (_lock)
        {
            try
            {
                EnsureRunning().Write(value);
            }
            catch (IOException)
            {
                // The program exited between the check and the write: start it again once.
                _process?.Kill();
                EnsureRunning().Write(value);
            }
        }
    }

    public override void Flush()
    {
        lock (_lock)
        {
            try
            {
                _process?.StandardInput.Flush();
            }
            catch (IOException)
            {
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_lock)
            {
                if (_process != null)
                {
                    try
                    {
                        // End of input: the program writes out what it has and exits.
                        _process.StandardInput.Close();
                        _process.WaitForExit(2000);
                    }
                    catch (IOException)
                    {
                    }
                    _process.Dispose();
                }
            }
        }
        base.Dispose(disposing);
    }
}
