using WsgiHost.Python.Runtime;

namespace WsgiHost.Tests.Interop;

/// <summary>An error log that keeps nothing, for the parts that need one and whose lines no test reads.</summary>
internal sealed class NullLog : IErrorLog
{
    public void Write(ErrorLogLevel level, string module, string message)
    {
    }
}
