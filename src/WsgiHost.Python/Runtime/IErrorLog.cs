namespace WsgiHost.Python.Runtime;

/// <summary>Apache's LogLevel names, in increasing severity.</summary>
public enum ErrorLogLevel
{
    /// <summary>Apache's "debug".</summary>
    Debug,
    /// <summary>Apache's "info".</summary>
    Info,
    /// <summary>Apache's "notice".</summary>
    Notice,
    /// <summary>Apache's "warn".</summary>
    Warning,
    /// <summary>Apache's "error".</summary>
    Error,
    /// <summary>Apache's "crit".</summary>
    Critical,
}

/// <summary>
/// The server's error log as seen from the Python boundary: Python output, tracebacks and
/// gateway errors. The host writes each entry in Apache's shape
/// "[time] [module:level] [pid N] message". Implementations must not block for long: they
/// are called with the GIL held.
/// </summary>
public interface IErrorLog
{
    /// <summary>Writes one entry; <paramref name="module"/> is Apache's module tag (wsgi, core...).</summary>
    void Write(ErrorLogLevel level, string module, string message);

    /// <summary>
    /// Returns once the entries written so far are out of the process (wsgi.errors.flush(): an
    /// app's last words before it crashes must not be lost). May block; never called with the GIL.
    /// </summary>
    void Flush()
    {
    }
}
