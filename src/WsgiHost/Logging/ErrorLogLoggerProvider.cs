using Microsoft.Extensions.Logging;
using WsgiHost.Python.Runtime;

namespace WsgiHost.Logging;

/// <summary>
/// Routes ASP.NET Core's own logging (Kestrel's bad-request and connection messages) into
/// the Apache-shaped error log, so there is one log for everything.
/// </summary>
internal sealed class ErrorLogLoggerProvider(IErrorLog log) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(log, ModuleFor(categoryName), categoryName);

    public void Dispose()
    {
    }

    private static string ModuleFor(string category) =>
        category.StartsWith("Microsoft.AspNetCore.Server.Kestrel", StringComparison.Ordinal) ? "http" : "core";

    private sealed class Logger(IErrorLog log, string module, string category) : ILogger
    {
        // Kestrel reports malformed requests at Debug under this category; they are worth
        // an info line (the client got a 4xx and the operator may want to know why).
        private readonly bool _badRequests = category == "Microsoft.AspNetCore.Server.Kestrel.BadRequests";

        // The host reports a failed start with the exception's whole stack; the command that
        // started it says why in one line with the fix (a port taken, say), and the stack
        // buried that line under thirty others.
        private readonly bool _host = category == "Microsoft.Extensions.Hosting.Internal.Host";

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning || (_badRequests && logLevel >= LogLevel.Debug);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel) || exception is Server.IncompleteResponseException)
            {
                return;
            }
            ErrorLogLevel level = logLevel switch
            {
                LogLevel.Trace or LogLevel.Debug or LogLevel.Information => ErrorLogLevel.Info,
                LogLevel.Warning => ErrorLogLevel.Warning,
                LogLevel.Error => ErrorLogLevel.Error,
                _ => ErrorLogLevel.Critical,
            };
            string message = formatter(state, exception);
            if (_host && message == "Hosting failed to start")
            {
                return;
            }
            if (exception != null && !_badRequests)
            {
                message += "\n" + exception;
            }
            log.Write(level, module, message);
        }
    }
}
