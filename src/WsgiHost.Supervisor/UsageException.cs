namespace WsgiHost.Supervisor;

/// <summary>A command line the user must correct; printed without a stack trace, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
