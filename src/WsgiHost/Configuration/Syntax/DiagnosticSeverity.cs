namespace WsgiHost.Configuration.Syntax;

internal enum DiagnosticSeverity
{
    Note,
    Warning,
    Error,
}
