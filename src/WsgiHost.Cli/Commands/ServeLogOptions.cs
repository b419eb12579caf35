using WsgiHost.Configuration.Model;
using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Cli.Commands;

/// <summary>
/// serve's logs, with mod_wsgi-express's options: to the terminal unless told otherwise
/// (<c>--log-to-terminal</c> is the default here), <c>--error-log FILE</c>, or files in
/// <c>--log-directory DIR</c> named by <c>--error-log-name</c> and <c>--access-log-name</c>
/// (error_log and access_log), rotated by Apache's rotatelogs with <c>--rotate-logs</c> at
/// <c>--max-log-size</c> megabytes; <c>--access-log</c> with <c>--access-log-format</c>
/// (common, combined or a LogFormat string; combined by default).
/// </summary>
internal sealed class ServeLogOptions
{
    private string? _errorLog, _directory, _errorName, _accessName, _format;
    private bool _access, _terminal, _rotate;
    private int _maxSize = 5;

    /// <summary>Where rotatelogs is when Debian's apache2-utils is installed.</summary>
    private const string RotateLogs = "/usr/bin/rotatelogs";

    public static bool IsOption(string flag, out bool takesValue)
    {
        takesValue = flag is not ("--access-log" or "--log-to-terminal" or "--startup-log" or "--rotate-logs");
        return flag is "--access-log" or "--log-to-terminal" or "--startup-log" or "--rotate-logs" or "--error-log" or "--log-directory"
            or "--error-log-name" or "--access-log-name" or "--access-log-format" or "--max-log-size" or "--error-log-format";
    }

    /// <summary>Takes one option (<paramref name="value"/> null for a flag).</summary>
    /// <exception cref="UsageException">A value the option does not take.</exception>
    public void Add(string flag, string? value)
    {
        switch (flag)
        {
            case "--access-log": _access = true; break;
            case "--log-to-terminal": _terminal = true; break;
            case "--startup-log": break;   // serve's startup lines go to the terminal in any case
            case "--rotate-logs": _rotate = true; break;
            case "--error-log": _errorLog = InExistingFolder(flag, Path.GetFullPath(value!)); break;
            case "--log-directory": _directory = Path.GetFullPath(value!); break;
            case "--error-log-name": _errorName = FileName(flag, value!); break;
            case "--access-log-name": _accessName = FileName(flag, value!); break;
            case "--access-log-format": _format = value; break;
            case "--max-log-size": _maxSize = ServeOptionsParser.Int(flag, value!, 1, 1_000_000); break;
            case "--error-log-format":
                throw new UsageException("--error-log-format is not supported: the error log keeps Apache's default format ([time] [module:level] [pid N] [client ip:port] message); leave the option out");
        }
    }

    /// <summary>The ErrorLog: null for the terminal.</summary>
    /// <exception cref="UsageException">--rotate-logs without rotatelogs installed, or a log folder that does not exist.</exception>
    public string? ErrorLog() =>
        _terminal || (_errorLog == null && _directory == null) ? null
        : _errorLog ?? Target(Path.Combine(Directory(), _errorName ?? "error_log"));

    /// <summary>The access log, if --access-log: to the terminal (standard output) or the log folder.</summary>
    public IReadOnlyList<CustomLogConfig> CustomLogs(SourceLocation generated)
    {
        if (!_access)
        {
            return [];
        }
        string format = _format switch
        {
            null or "combined" => Logging.LogFormat.Combined.ToString(),
            "common" => Logging.LogFormat.Common.ToString(),
            var custom => Checked(custom),
        };
        string path = _terminal || _directory == null ? "/dev/stdout" : Target(Path.Combine(Directory(), _accessName ?? "access_log"));
        return [new CustomLogConfig(path, format, generated)];
    }

    private static string Checked(string format)
    {
        try
        {
            _ = Logging.LogFormat.Parse(format);
            return format;
        }
        catch (FormatException e)
        {
            throw new UsageException($"--access-log-format: {e.Message}");
        }
    }

    /// <summary>A log file whose folder exists: as Apache and a configuration's ErrorLog, the folder is not made (a typo made /nonexistent as root).</summary>
    private static string InExistingFolder(string flag, string file) =>
        System.IO.Directory.Exists(Path.GetDirectoryName(file)) ? file : throw new UsageException($"{flag}: the folder {Path.GetDirectoryName(file)} does not exist (create it first)");

    private string Directory() =>
        System.IO.Directory.Exists(_directory) ? _directory! : throw new UsageException($"--log-directory: the folder {_directory} does not exist");

    /// <summary>The file, or with --rotate-logs the pipe to rotatelogs that writes it, as mod_wsgi-express sets it up.</summary>
    private string Target(string file)
    {
        if (!_rotate)
        {
            return file;
        }
        return File.Exists(RotateLogs)
            ? $"||{RotateLogs} {file}.%Y-%m-%d-%H_%M_%S {_maxSize}M"
            : throw new UsageException($"--rotate-logs needs Apache's rotatelogs ({RotateLogs}; Debian: apt-get install apache2-utils)");
    }

    private static string FileName(string flag, string name) =>
        name.Length > 0 && !name.Contains('/') ? name : throw new UsageException($"{flag} takes a file name (in --log-directory), not '{name}'");
}
