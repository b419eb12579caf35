namespace WsgiHost.Python.Runtime;

/// <summary>Apache's LogLevel names, in increasing severity.</summary>
public enum ErrorLogLevel
{
    Debug,
    Info,
    Notice,
    Warning,
    Error,
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
    void Write(ErrorLogLevel level, string module, string message);
}
