namespace WsgiHost.Configuration.Model;

/// <summary>How an ErrorDocument answers.</summary>
internal enum ErrorDocumentKind
{
    /// <summary><c>ErrorDocument 404 default</c>: the server's own page, undoing an inherited document.</summary>
    Default,

    /// <summary>A message sent as the page.</summary>
    Text,

    /// <summary>An absolute URL the client is redirected to (302), as Apache does.</summary>
    Redirect,

    /// <summary>A local URL path whose file (through Alias or DocumentRoot) is sent as the page, with the error's status.</summary>
    LocalUrl,
}

/// <summary>One ErrorDocument line: the page for one status; <paramref name="Location"/> is where it is written.</summary>
internal sealed record ErrorDocumentConfig(ErrorDocumentKind Kind, string Value, Syntax.SourceLocation Location);
