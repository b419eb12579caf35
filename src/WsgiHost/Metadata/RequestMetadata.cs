using Microsoft.AspNetCore.Http;

namespace WsgiHost.Metadata;

/// <summary>
/// What mod_env, mod_setenvif and mod_headers left on one request, kept as a request feature for
/// those that read it after routing: the access log (%{VAR}e, CustomLog env=, %{name}n of Header
/// note) and the error pages (only <c>always</c> Header lines apply to them). Made only for a
/// request whose scopes set variables or edit headers; every other request keeps none.
/// </summary>
internal sealed class RequestMetadata(IReadOnlyList<KeyValuePair<string, string?>> variables)
{
    /// <summary>The ErrorDocuments in force for the request.</summary>
    public IReadOnlyDictionary<int, Configuration.Model.ErrorDocumentConfig> ErrorDocuments { get; init; } =
        System.Collections.Frozen.FrozenDictionary<int, Configuration.Model.ErrorDocumentConfig>.Empty;

    /// <summary>The scope's mapping, for an ErrorDocument's local URL.</summary>
    public Routing.UrlMapper? Mapper { get; init; }

    /// <summary>The scope's error log, for an ErrorDocument that cannot be sent.</summary>
    public Python.Runtime.IErrorLog? Log { get; init; }

    /// <summary>mod_xsendfile's settings when XSendFile is On for the request, else null.</summary>
    public Configuration.Model.XSendFileConfig? XSendFile { get; init; }

    /// <summary>The folder of the file the URL maps to (the WSGI script): mod_xsendfile lets an app name files inside it without an XSendFilePath.</summary>
    public string? ScriptDirectory { get; init; }

    /// <summary>The request's variable assignments (<see cref="RequestVariables"/>).</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> Variables { get; } = variables;

    /// <summary>The request's Header lines, when it has some.</summary>
    public ResponseHeaderEditor? Editor { get; set; }

    /// <summary>The response about to go is an error page the server made, not the handler's: only <c>always</c> Header lines apply to it.</summary>
    public static void MarkServerError(HttpContext context) => context.Features.Get<RequestMetadata>()?.Editor?.MarkServerError();
}
