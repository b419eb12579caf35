namespace WsgiHost.Configuration.Syntax;

public enum DiagnosticSeverity
{
    Note,
    Warning,
    Error,
}
