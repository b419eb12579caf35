using Microsoft.Extensions.Logging;
using WsgiHost.Python.Runtime;

namespace WsgiHost.AspNetCore;

/// <summary>
/// The error log of the Python boundary written to an ASP.NET Core <see cref="ILogger"/>, so
/// Python's output and tracebacks land wherever the host sends its logs. The Apache module tag
/// (wsgi, core) is kept as a structured property instead of a line prefix.
/// </summary>
internal sealed class LoggerErrorLog(ILogger logger, LogLevel minimum) : IErrorLog
{
    public void Write(ErrorLogLevel level, string module, string message)
    {
        LogLevel mapped = level switch
        {
            ErrorLogLevel.Debug => LogLevel.Debug,
            ErrorLogLevel.Info or ErrorLogLevel.Notice => LogLevel.Information,
            ErrorLogLevel.Warning => LogLevel.Warning,
            ErrorLogLevel.Error => LogLevel.Error,
            _ => LogLevel.Critical,
        };
        // Called with the GIL held: test the level before any formatting work.
        if (mapped < minimum || !logger.IsEnabled(mapped))
        {
            return;
        }
#pragma warning disable CA1848, CA2254 // the message is Python's text, not a template; LoggerMessage needs a constant one
        logger.Log(mapped, "[{Module}] {Message}", module, message);
#pragma warning restore CA1848, CA2254
    }
}
